/**
 * `models list|show|approve|reject|promote|rollback|archive|export|import`: the model registry from the
 * command line, with the same rules as the app (only an approved version reaches Production or Staging).
 */
import type { ModelVersionDetail, ModelVersionSummary } from '../../../shared/contract';
import {
  approveVersion,
  archiveVersion,
  exportVersion,
  importVersion,
  promoteVersion,
  rejectVersion,
  rollbackProduction,
  modelHandlers,
  versionDetail,
} from '../../services/models';
import type { Command } from '../cli';
import { EXIT_OK, parseCommandArgs, UsageError } from '../cli-kit';

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

function versionArg(positionals: string[], index: number): number {
  const v = Number(positionals[index]);
  if (!Number.isInteger(v) || v < 1) throw new UsageError('give a model version number');
  return v;
}

function describe(d: ModelVersionDetail): string {
  return [
    `version ${d.version} (${d.status.replace(/_/g, ' ')})${d.stages.length ? ` [${d.stages.join(', ')}]` : ''}`,
    `  run ${d.runId}, k = ${d.k}, threshold ${fmt(d.threshold)}, strategy ${d.strategy}, sha256 ${d.sha256.slice(0, 16)}…`,
    ...d.gates.map((g) => `  gate ${g.name}: ${fmt(g.value)} vs ${g.threshold} ${g.passed ? 'pass' : 'FAIL'}`),
    '  audit trail:',
    ...d.events.map((e) => `    ${e.time} ${e.user} ${e.action}${e.toStatus ? ` -> ${e.toStatus}` : ''}${e.stage ? ` (${e.stage})` : ''}${e.comment ? `: ${e.comment}` : ''}`),
  ].join('\n');
}

export const modelsCommand: Command = {
  summary: 'list, inspect, approve, reject, promote, roll back, export and import model versions',
  usage: `wafer-studio models <action> [...] [--workspace FILE] [--json]

  models list
  models show VERSION
  models approve VERSION [--comment TEXT]
  models reject VERSION --comment TEXT
  models promote VERSION --to production|staging [--comment TEXT]
  models rollback [--comment TEXT]
  models archive VERSION [--comment TEXT]
  models export VERSION --out FILE
  models import FILE`,
  async run({ ctx, out, args }) {
    const { values, positionals } = parseCommandArgs(args, {
      comment: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
    });
    const [action, ...rest] = positionals;
    const show = (d: ModelVersionDetail) => out.result(d, describe(d));
    switch (action) {
      case 'list': {
        const list = modelHandlers['models/list']({}, ctx) as ModelVersionSummary[];
        out.result(
          list,
          list.length === 0
            ? 'No model versions yet.'
            : list
                .map(
                  (v) =>
                    `v${v.version}  ${v.status.replace(/_/g, ' ').padEnd(18)} ${v.stages.join(',').padEnd(19)} k=${v.k} auc=${fmt(v.pooledAuc)} recall=${fmt(v.recall)} ${v.createdAt}`,
                )
                .join('\n'),
        );
        return EXIT_OK;
      }
      case 'show':
        show(versionDetail(ctx, versionArg(rest, 0)));
        return EXIT_OK;
      case 'approve':
        show(await approveVersion(ctx, versionArg(rest, 0), values.comment));
        return EXIT_OK;
      case 'reject':
        if (!values.comment) throw new UsageError('reject needs --comment saying why');
        show(await rejectVersion(ctx, versionArg(rest, 0), values.comment));
        return EXIT_OK;
      case 'promote': {
        if (values.to !== 'production' && values.to !== 'staging') throw new UsageError('promote needs --to production|staging');
        show(await promoteVersion(ctx, versionArg(rest, 0), values.to, values.comment));
        return EXIT_OK;
      }
      case 'rollback':
        show(await rollbackProduction(ctx, values.comment));
        return EXIT_OK;
      case 'archive':
        show(await archiveVersion(ctx, versionArg(rest, 0), values.comment));
        return EXIT_OK;
      case 'export': {
        if (!values.out) throw new UsageError('export needs --out FILE');
        const result = exportVersion(ctx, versionArg(rest, 0), values.out);
        out.result(result, `exported to ${result.path} (${result.bytes} bytes)`);
        return EXIT_OK;
      }
      case 'import': {
        if (!rest[0]) throw new UsageError('import needs a file');
        show(await importVersion(ctx, rest[0]));
        return EXIT_OK;
      }
      default:
        throw new UsageError(`unknown models action "${action ?? ''}" (list, show, approve, reject, promote, rollback, archive, export, import)`);
    }
  },
};
