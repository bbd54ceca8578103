/**
 * `monitor [--model production|staging|VERSION] [--days N] [--fail-on warning|alert]`: the Monitor
 * page's summary (data quality, fail rate, sensor drift, alerts). With --fail-on the exit code is 1
 * when an alert of that level or worse is raised, so a scheduled script can page someone.
 */
import { monitorSummary } from '../../services/monitor';
import type { Command } from '../cli';
import { fmtPct } from '../../reports/format';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, parseModelOption, UsageError } from '../cli-kit';

export const monitorCommand: Command = {
  summary: 'data quality, fail rate and sensor drift over recent days, with alerts',
  usage: `wafer-studio monitor [--model production|staging|VERSION] [--days N] [--fail-on warning|alert] [--workspace FILE] [--json]

  --days     the window, in days up to now (default 30)
  --fail-on  exit 1 when an alert of this level or worse is raised (default: exit 0 whatever the alerts)`,
  async run({ ctx, out, args }) {
    const { values } = parseCommandArgs(args, { model: { type: 'string' }, days: { type: 'string' }, 'fail-on': { type: 'string' } }, false);
    const model = parseModelOption(values.model);
    const days = values.days === undefined ? 30 : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
    const failOn = values['fail-on'];
    if (failOn !== undefined && failOn !== 'warning' && failOn !== 'alert') throw new UsageError('--fail-on must be warning or alert');

    const s = monitorSummary(ctx, { model, days });
    const { files, bad, rows, faulty } = s.totals;
    const lines = [
      `last ${s.days} days, drift against ${s.modelVersion === null ? 'no model' : `model version ${s.modelVersion}`}`,
      `  prediction files: ${files}, quarantined ${bad}${files ? ` (${fmtPct(bad / files)})` : ''}${s.reasons.length ? `: ${s.reasons.map((r) => `${r.code} ${r.files}`).join(', ')}` : ''}`,
      `  wafers predicted: ${rows}, predicted faulty ${faulty}${rows ? ` (${fmtPct(faulty / rows)})` : ''}${s.trainingFaultShare !== null ? `; training rows ${fmtPct(s.trainingFaultShare)} faulty` : ''}`,
      s.drift
        ? `  drift: ${s.drift.currentRows} recent rows against ${s.drift.referenceRows} training rows over ${s.drift.scored} sensors; ${s.drift.drifted} drifted, ${s.drift.moving} moving; highest ${s.drift.sensors
            .slice(0, 5)
            .map((x) => `${x.sensor} ${x.psi.toFixed(3)}`)
            .join(', ')}`
        : `  drift: ${s.driftNote ?? 'not measured'}`,
      ...(s.drift && s.driftNote ? [`  (${s.driftNote})`] : []),
      ...(s.alerts.length ? s.alerts.map((a) => `${a.level.toUpperCase()} ${a.code}: ${a.message}`) : ['no alerts']),
    ];
    out.result(s, lines.join('\n'));
    // --fail-on warning: any alert fails; --fail-on alert: only those of level alert.
    const failing = s.alerts.filter((a) => failOn === 'warning' || (failOn === 'alert' && a.level === 'alert'));
    return failing.length > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};
