export const SERVICE_NAME = Symbol('SERVICE_NAME');

/**
 * Metadata on controllers that must answer without authentication (probes, scrapes). The api's
 * auth guard honours it; marking the controllers here keeps the list in one place.
 */
export const PUBLIC_ROUTE = 'mailbus:public-route';
