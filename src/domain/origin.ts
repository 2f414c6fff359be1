/**
 * The origin tag every write of the hub carries (X-Origin on REST, the hub's own user on Tryton),
 * followed by the workflow id that wrote. Whatever reads a system's changes back (the bridge's
 * webhook routes, the Tryton pollers) drops those carrying it: they are the hub's own echoes.
 */
export const HUB_ORIGIN_PREFIX = 'hub:';
