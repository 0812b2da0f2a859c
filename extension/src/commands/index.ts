import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { isJobsNode } from '../jobs/jobsProvider';
import { showRuleDocumentation } from '../lint/lintClient';

/**
 * Every command HPC Geo contributes, in one table: id → handler. `Ctx` registers each through the
 * one error path. A unit test checks that this table and package.json's `contributes.commands`
 * agree in both directions.
 */
export type CommandHandler = (ctx: Ctx, ...args: unknown[]) => unknown;

export const commandTable: Readonly<Record<string, CommandHandler>> = {
  'hpcGeo.showLog': (ctx) => ctx.log.show(),
  'hpcGeo.openSettings': (ctx) =>
    vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${ctx.extension.extension.id}`),
  'hpcGeo.showRuleDocumentation': (ctx, id) => showRuleDocumentation(ctx.extension, id),
  // a cluster is named by its name (status bar) or by any row of the Jobs view under it
  'hpcGeo.connect': (ctx, arg) => ctx.clusters.connect(arg),
  'hpcGeo.disconnect': (ctx, arg) => ctx.clusters.disconnect(arg),
  'hpcGeo.forwardPort': (ctx, arg) => ctx.forwards.open(arg),
  'hpcGeo.closeForward': (ctx) => ctx.forwards.close(),
  'hpcGeo.clusterActions': (ctx, arg) => ctx.clusters.actions(arg),
  'hpcGeo.refreshJobs': (ctx, node) => ctx.jobs.refresh(isJobsNode(node) ? node : undefined),
  'hpcGeo.refreshPartitions': (ctx) => ctx.partitions.refresh(),
  'hpcGeo.submitJob': (ctx, uri) => ctx.jobs.submit(uri),
  'hpcGeo.cancelJob': (ctx, node, selected) => ctx.jobs.cancel(node, selected),
  'hpcGeo.holdJob': (ctx, node, selected) => ctx.jobs.control('hold', node, selected),
  'hpcGeo.releaseJob': (ctx, node, selected) => ctx.jobs.control('release', node, selected),
  'hpcGeo.requeueJob': (ctx, node, selected) => ctx.jobs.control('requeue', node, selected),
  'hpcGeo.throttleArray': (ctx, node) => ctx.jobs.throttle(node),
  'hpcGeo.resubmitFailed': (ctx, node) => ctx.jobs.resubmitFailed(node),
  'hpcGeo.openLog': (ctx, node) => ctx.jobs.openLog(node),
  'hpcGeo.copyJobId': (ctx, node, selected) => ctx.jobs.copyJobId(node, selected),
  'hpcGeo.openJobShell': (ctx, node) => ctx.jobs.openJobShell(node),
  'hpcGeo.showJobUsage': (ctx, node) => ctx.jobs.showUsage(node),
  'hpcGeo.tailLog': (ctx, node) => ctx.logs.tail(node),
  'hpcGeo.openSelectedRow': async (ctx) => {
    const node = await ctx.jobs.selectedRow();
    if (node?.type === 'job') return ctx.logs.tail(node);
    if (node?.type === 'message') return ctx.jobs.refresh(node);
    return undefined;
  },
  'hpcGeo.showProgress': (ctx, node) => ctx.progress.show(node),
};
