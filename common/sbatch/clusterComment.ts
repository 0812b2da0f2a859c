/**
 * `# hpc-geo: cluster=<name>`: the comment by which a script names its cluster. The linter takes
 * that cluster's profile; Submit sends the script there without asking.
 */
export const CLUSTER_COMMENT = /#\s*hpc-geo:\s*cluster\s*=\s*([\w.-]+)/;

/** How much of a script is searched for the comment (its head: it belongs with the directives). */
export const CLUSTER_COMMENT_WINDOW = 16384;

/** The cluster the comment names and where the name starts in the text, if the head has one. */
export function clusterComment(text: string): { name: string; at: number } | undefined {
  const m = CLUSTER_COMMENT.exec(text.slice(0, CLUSTER_COMMENT_WINDOW));
  return m ? { name: m[1]!, at: m.index + m[0].indexOf(m[1]!) } : undefined;
}
