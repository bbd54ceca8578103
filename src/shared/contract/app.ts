/** App-level channels: version, workspace summary, the logs store. */
import { z } from 'zod';
import { channel } from './define';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogEntry {
  id: number;
  time: string;
  level: LogLevel;
  component: string;
  message: string;
  context: Record<string, unknown> | null;
}

export interface AppInfo {
  name: string;
  version: string;
  workspacePath: string;
  host: 'electron' | 'serve';
  platform: string;
}

const empty = z.object({}).strict();

export const logsListInput = z
  .object({
    levels: z.array(z.enum(LOG_LEVELS)).optional(),
    component: z.string().max(100).optional(),
    since: z.string().datetime({ offset: true }).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(5000).default(500),
  })
  .strict();

export const appChannels = {
  'app/info': channel<AppInfo>()(empty),
  'logs/list': channel<{ entries: LogEntry[]; components: string[] }>()(logsListInput),
};
