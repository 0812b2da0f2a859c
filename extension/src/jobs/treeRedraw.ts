/**
 * Which rows of a tree view to redraw when its model changes. VS Code forgets the rows beneath a
 * row it redraws (all of them for a redraw from the root) until it has asked for them again; a
 * context-menu command chosen on one of them in that moment reaches the extension without its row,
 * and the view's own refocus can close a quick pick. So a poll redraws only what changed: a row
 * whose own rendering changed or whose children did (with what is beneath it), the whole tree only
 * when its top-level rows changed. Pure: no VS Code.
 */

/** A row as drawn: its rendering (label, description, icon, menus, tooltip) as one string, and its children's ids in order. */
export interface DrawnRow {
  key: string;
  children: readonly string[];
}

export interface DrawnTree {
  root: readonly string[];
  rows: ReadonlyMap<string, DrawnRow>;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * 'all', or the ids of the rows to redraw, none beneath another (a redrawn row's children are asked
 * for again). A row that moved changes the children of both its old and its new parent, so both are
 * redrawn and VS Code never holds one id twice.
 */
export function rowsToRedraw(before: DrawnTree | undefined, after: DrawnTree): 'all' | string[] {
  if (!before || !sameList(before.root, after.root)) return 'all';
  const out: string[] = [];
  const visit = (id: string): void => {
    const now = after.rows.get(id);
    const was = before.rows.get(id);
    if (!now) return;
    if (!was || now.key !== was.key || !sameList(now.children, was.children)) {
      out.push(id);
      return;
    }
    for (const child of now.children) visit(child);
  };
  for (const id of after.root) visit(id);
  return out;
}
