/**
 * The one module that knows the component kit. @vscode/webview-ui-toolkit (the brief's choice)
 * was deprecated upstream in January 2025; pages import from here only, so a move to a
 * maintained kit is a change to this file.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeTextField(), vsCodeBadge(), vsCodeProgressRing(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell());
}

/** The properties pages read from toolkit elements. */
export interface ToolkitInput extends HTMLElement {
  value: string;
}
export interface ToolkitCheckbox extends HTMLElement {
  checked: boolean;
}
