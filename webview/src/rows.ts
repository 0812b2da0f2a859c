/**
 * What the pages share to draw only the rows on screen: one paint per animation frame however
 * many times it is asked for, and the rows a scroll position shows.
 */

/** Returns a function that asks for `paint` on the next frame; asks within one frame paint once. */
export function framePainter(paint: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      paint();
    });
  };
}

/** The rows [first, last) of `count` rows of `rowHeight` px that `viewport` shows, with `overscan` more each side. */
export function visibleRows(viewport: HTMLElement, rowHeight: number, count: number, overscan: number): { first: number; last: number } {
  const first = Math.max(0, Math.min(count, Math.floor(viewport.scrollTop / rowHeight) - overscan));
  const last = Math.min(count, Math.ceil((viewport.scrollTop + viewport.clientHeight) / rowHeight) + overscan);
  return { first, last };
}
