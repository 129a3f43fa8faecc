import { authModule } from '../platform/auth/auth.routes.js';
import type { AppModule } from '../platform/http/app.js';
import { sharingModule } from '../platform/sharing/sharing.routes.js';
import { crmModule } from './crm/crm.routes.js';
import { interventionsModule } from './interventions/interventions.routes.js';
import { predictModule } from './predict/predict.routes.js';
import { signalsModule } from './signals/signals.routes.js';

/** Every module the server mounts under /api/v1, in order. */
export const appModules: AppModule[] = [
  sharingModule, // first: binds every request's actor to the sharing caches
  authModule,
  crmModule,
  signalsModule,
  interventionsModule,
  predictModule,
];
