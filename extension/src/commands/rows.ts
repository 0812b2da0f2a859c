/** Which commands act on a row of the Jobs view, and whether one arrived without its row. Pure: no VS Code. */
export type Menus = Record<string, readonly { command: string }[]>;

/** The commands of the Jobs view's row menus that are not also title-bar actions (those get no row). */
export function rowMenuCommands(menus: Menus): Set<string> {
  const title = new Set((menus['view/title'] ?? []).map((m) => m.command));
  return new Set((menus['view/item/context'] ?? []).map((m) => m.command).filter((c) => !title.has(c)));
}

/**
 * Whether a row command was chosen in the menu of a row that VS Code no longer knows: a row that
 * moved (a job that started or ended, a task that left its chunk) while its menu was open. VS Code
 * then passes `undefined` where the row was; from the Command Palette a command gets no argument at
 * all. Asking "which job" then would offer other rows (an array for one of its tasks), so it says so.
 */
export function lostRow(args: readonly unknown[]): boolean {
  return args.length > 0 && args[0] == null;
}
