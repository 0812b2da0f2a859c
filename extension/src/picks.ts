/**
 * Options every quick pick of HPC Geo shares. VS Code's tree view takes the keyboard focus back
 * when a refresh of it ends while it still counts itself focused (its blur is noted a task later),
 * and a quick pick that loses the focus closes: a pick opened from the Command Palette while the
 * Jobs view had the focus closed by itself when the view's poll redrew it at that moment (seen in
 * the e2e focus log: the Jobs tree focused by its own focus(), 60 ms after the pick opened). The
 * picks stay open when the focus leaves them; Escape closes them, as always.
 */
export const PICK_OPTIONS = { ignoreFocusOut: true } as const;
