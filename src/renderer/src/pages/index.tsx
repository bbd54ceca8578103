/** The pages of the app, in navigation order. Each domain replaces its placeholder with the real page. */
import type { ComponentType } from 'react';
import { DataPage } from './DataPage';
import { LogsPage } from './LogsPage';
import { ModelsPage } from './ModelsPage';
import { MonitorPage } from './MonitorPage';
import { PredictPage } from './PredictPage';
import { SchemasPage } from './SchemasPage';
import { TrainingPage } from './TrainingPage';

export type PageId = 'data' | 'schemas' | 'training' | 'models' | 'predict' | 'monitor' | 'logs';

export interface PageDef {
  id: PageId;
  title: string;
  lede: string;
  icon: string;
  component: ComponentType;
}

export const PAGES: PageDef[] = [
  {
    id: 'data',
    title: 'Data',
    lede: 'Import batch files, see which are good and exactly why the others are not.',
    icon: '▤',
    component: DataPage,
  },
  {
    id: 'schemas',
    title: 'Schemas',
    lede: 'The data sharing agreement: file names, columns, id and label.',
    icon: '#',
    component: SchemasPage,
  },
  {
    id: 'training',
    title: 'Training',
    lede: 'Operating regimes, a model per regime, every run recorded.',
    icon: '◎',
    component: TrainingPage,
  },
  {
    id: 'models',
    title: 'Models',
    lede: 'Versions, quality gates, approval and promotion.',
    icon: '◆',
    component: ModelsPage,
  },
  {
    id: 'predict',
    title: 'Predict',
    lede: 'Which wafers will fail, and why.',
    icon: '➤',
    component: PredictPage,
  },
  {
    id: 'monitor',
    title: 'Monitor',
    lede: 'Drift, data quality and alerts over time.',
    icon: '∿',
    component: MonitorPage,
  },
  {
    id: 'logs',
    title: 'Logs',
    lede: 'What the app did, filtered by level, component and time.',
    icon: '☰',
    component: LogsPage,
  },
];
