import { cmsWebhookEvents } from '../api/cms-events';
import { medusaEventRoutes } from '../api/medusa-events';
import { consumedEventTypes } from '../api/routes';
import { erpEventRoutes, wmsEventRoutes } from '../api/rest-events';
import { z } from 'zod';
import { CONNECTOR_KINDS, type ConnectorKind } from '../activities/ports/common';
import { startHubProcess } from './hub-processes';
import { startMedusa } from './medusa';
import type { RunningService } from './process';
import type { StackProfile } from './profile';
import { loadStackSecrets } from './secrets';
import { startStrapi } from './strapi';
import { claimStack, sweepLeftovers } from './supervision';
import { startTemporal } from './temporal';
import { startTryton } from './tryton';

export const STACK_SERVICES = ['temporal', 'erp', 'wms', 'tryton', 'cms', 'medusa', 'worker', 'bridge', 'codec'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

/**
 * The event types each system's webhook to the bridge is subscribed to: exactly those a flow
 * consumes (the bridge's route tables, less the types it only acknowledges). Anything else would
 * be signed, sent, verified and answered for nothing, and under a burst of product creations
 * (item.created, sku.created, entry.create, inventory-item.created for each) that is CPU the two
 * cores need for the sync itself. Derived from the tables, so a new route is subscribed to too.
 */
export const SUBSCRIBED_EVENTS: Record<'medusa' | 'erp' | 'wms' | 'cms', readonly string[]> = {
  medusa: consumedEventTypes(medusaEventRoutes),
  erp: consumedEventTypes(erpEventRoutes),
  wms: consumedEventTypes(wmsEventRoutes),
  cms: cmsWebhookEvents,
};

export interface StackOptions {
  services?: readonly StackService[];
  /** Copy every service's output to this terminal (the interactive stack). */
  echo?: boolean;
  /** Keep Temporal's histories across restarts (dev) or not (tests). */
  persistTemporal: boolean;
  /** Install the hub's subscriber in Medusa (default); off only to measure Medusa without it. */
  forwardMedusaEvents?: boolean;
  /**
   * Which connector the stack's worker speaks for the ERP and the WMS: Tryton (the default, the
   * real ERP and WMS) or the generic REST connector to the simulators. ERP_CONNECTOR and
   * WMS_CONNECTOR in the environment override it per role. A role on REST gets its simulator.
   */
  connectors?: ConnectorKind;
}

export interface Stack {
  /** Everything a hub process or a test needs to reach the services. */
  env: Record<string, string>;
  services: RunningService[];
  stop(): Promise<void>;
}

/**
 * Brings up the whole local stack: Temporal, the ERP and WMS simulators, Tryton (the real ERP and
 * WMS) and Medusa on PostgreSQL, Strapi, then the hub's worker and bridge. Independent services
 * start in parallel (Medusa's first migration and Tryton's first template build are the long
 * poles). If any part fails, what did start is stopped again.
 */
export async function startStack(profile: StackProfile, opts: StackOptions): Promise<Stack> {
  claimStack(profile);
  for (const { pid, command } of await sweepLeftovers(profile)) {
    console.log(`[stack] stopped pid ${pid}, left running by an earlier ${profile.name} stack whose supervisor is gone: ${command}`);
  }
  const wanted = new Set(opts.services ?? STACK_SERVICES);
  const connector = (role: 'ERP' | 'WMS'): ConnectorKind => {
    const chosen = z.enum(CONNECTOR_KINDS).safeParse(process.env[`${role}_CONNECTOR`] ?? opts.connectors ?? 'tryton');
    if (!chosen.success) throw new Error(`${role}_CONNECTOR must be one of ${CONNECTOR_KINDS.join(', ')}`);
    return chosen.data;
  };
  const connectors = { erp: connector('ERP'), wms: connector('WMS') };
  const secrets = loadStackSecrets(profile);
  const { ports } = profile;
  const bridgeUrl = `http://127.0.0.1:${ports.bridge}`;
  const codecUrl = `http://127.0.0.1:${ports.codec}`;
  const started: RunningService[] = [];
  const env: Record<string, string> = {
    HUB_CODEC_KEY: secrets.codecKey,
    ERP_CONTROL_KEY: secrets.simulatorControlKey,
    WMS_CONTROL_KEY: secrets.simulatorControlKey,
    WEBHOOK_SECRETS_MEDUSA: secrets.medusaWebhookSecret,
    WEBHOOK_SECRETS_ERP: secrets.erpWebhookSecret,
    WEBHOOK_SECRETS_WMS: secrets.wmsWebhookSecret,
    CMS_WEBHOOK_SECRET: secrets.cmsWebhookSecret,
    BRIDGE_PORT: String(ports.bridge),
    BRIDGE_URL: bridgeUrl,
    ERP_CONNECTOR: connectors.erp,
    WMS_CONNECTOR: connectors.wms,
  };
  const track = async (service: Promise<RunningService>): Promise<void> => {
    const s = await service;
    started.push(s);
    Object.assign(env, s.env);
  };
  const stop = async (): Promise<void> => {
    // Reverse order: the hub's processes go before the services they call.
    for (const s of [...started].reverse()) {
      await s.stop().catch((err: unknown) => console.error(`stopping ${s.name}: ${String(err)}`));
    }
    started.length = 0;
  };

  const simulator = (name: 'erp' | 'wms', port: number, apiKey: string, webhookSecret: string): Promise<RunningService> => {
    const events = SUBSCRIBED_EVENTS[name];
    // No routes, no webhook: an empty SIM_WEBHOOK_EVENTS would mean every event, not none.
    const subscribed = events.length > 0;
    return startHubProcess(profile, {
      name,
      entry: `src/simulators/${name}/main.ts`,
      echo: opts.echo,
      env: {
        SIM_PORT: String(port),
        SIM_DATA_DIR: `${profile.dataDir}/${name}`,
        SIM_API_KEYS: apiKey,
        SIM_CONTROL_KEY: secrets.simulatorControlKey,
        // Empty rather than absent, so nothing inherited from our own environment leaks in.
        SIM_WEBHOOK_URL: subscribed ? `${bridgeUrl}/webhooks/${name}` : '',
        SIM_WEBHOOK_SECRET: subscribed ? webhookSecret : '',
        SIM_WEBHOOK_EVENTS: events.join(','),
      },
      readyUrl: `http://127.0.0.1:${port}/_health`,
      exportEnv: {
        [`${name.toUpperCase()}_BASE_URL`]: `http://127.0.0.1:${port}`,
        [`${name.toUpperCase()}_API_KEY`]: apiKey,
      },
    });
  };

  try {
    const first: Promise<void>[] = [];
    if (wanted.has('temporal')) {
      const uiCodecEndpoint = wanted.has('codec') ? codecUrl : undefined;
      first.push(track(startTemporal(profile, { persist: opts.persistTemporal, uiCodecEndpoint })));
    }
    if (wanted.has('codec')) {
      const uiOrigins = [`http://127.0.0.1:${ports.temporalUi}`, `http://localhost:${ports.temporalUi}`].join(',');
      first.push(
        track(
          startHubProcess(profile, {
            name: 'codec',
            entry: 'src/codec/main.ts',
            echo: opts.echo,
            env: { HUB_CODEC_KEY: secrets.codecKey, CODEC_PORT: String(ports.codec), CODEC_CORS_ORIGINS: uiOrigins },
            readyUrl: `${codecUrl}/healthz`,
            exportEnv: { CODEC_URL: codecUrl },
          }),
        ),
      );
    }
    // The simulators are the REST connector's reference systems: started for a role that speaks REST.
    if (wanted.has('erp') && connectors.erp === 'rest') first.push(track(simulator('erp', ports.erp, secrets.erpApiKey, secrets.erpWebhookSecret)));
    if (wanted.has('wms') && connectors.wms === 'rest') first.push(track(simulator('wms', ports.wms, secrets.wmsApiKey, secrets.wmsWebhookSecret)));
    // Not needed when both roles are told to use the REST connector (an ERP and WMS of one's own);
    // a stack whose caller chose REST (the tests) still starts it, for the suites that test Tryton.
    const restOnly = process.env.ERP_CONNECTOR === 'rest' && process.env.WMS_CONNECTOR === 'rest';
    if (wanted.has('tryton') && !restOnly) {
      first.push(
        track(
          startTryton(profile, { echo: opts.echo, hubPassword: secrets.trytonHubPassword, adminPassword: secrets.trytonAdminPassword }),
        ),
      );
    }
    if (wanted.has('cms')) {
      first.push(
        track(
          startStrapi(profile, {
            echo: opts.echo,
            webhookUrl: SUBSCRIBED_EVENTS.cms.length > 0 ? `${bridgeUrl}/webhooks/cms` : undefined,
            webhookSecret: secrets.cmsWebhookSecret,
            webhookEvents: SUBSCRIBED_EVENTS.cms,
          }),
        ),
      );
    }
    if (wanted.has('medusa')) {
      first.push(
        track(
          startMedusa(profile, {
            echo: opts.echo,
            hubWebhookUrl: opts.forwardMedusaEvents === false ? undefined : `${bridgeUrl}/webhooks/medusa`,
            hubWebhookSecret: secrets.medusaWebhookSecret,
            hubForwardEvents: SUBSCRIBED_EVENTS.medusa,
          }),
        ),
      );
    }
    // allSettled, then throw: a failure must not leave a sibling starting unseen in the background.
    const results = await Promise.allSettled(first);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;

    if (wanted.has('worker')) {
      await track(startHubProcess(profile, { name: 'worker', entry: 'src/workers/main.ts', echo: opts.echo, env, readyText: 'worker polling' }));
    }
    if (wanted.has('bridge')) {
      await track(startHubProcess(profile, { name: 'bridge', entry: 'src/api/main.ts', echo: opts.echo, env, readyUrl: `${bridgeUrl}/readyz` }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, services: started, stop };
}
