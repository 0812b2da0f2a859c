import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
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
  'hpcGeo.connect': (ctx, name) => ctx.clusters.connect(typeof name === 'string' ? name : undefined),
  'hpcGeo.disconnect': (ctx, name) => ctx.clusters.disconnect(typeof name === 'string' ? name : undefined),
  'hpcGeo.forwardPort': (ctx) => ctx.clusters.forwardPort(),
  'hpcGeo.closeForward': (ctx) => ctx.clusters.closeForward(),
  'hpcGeo.clusterActions': (ctx, name) => ctx.clusters.actions(typeof name === 'string' ? name : undefined),
  'hpcGeo.refreshJobs': (ctx, node) => ctx.jobs.refresh(node as never),
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
  'hpcGeo.openSelectedRow': (ctx) => {
    const node = ctx.jobs.selectedRow();
    if (node?.type === 'job') return ctx.logs.tail(node);
    if (node?.type === 'message') return ctx.jobs.refresh(node);
    return undefined;
  },
  'hpcGeo.showProgress': (ctx, node) => ctx.progress.show(node),
};
