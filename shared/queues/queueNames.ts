/** The app's queues: the one place their names are written (functions, sources, CLI and infra tests read them here). */
export const EVENTS_QUEUE = 'pim-events';
/** Where the Functions host (and notify, for invalid events) puts messages it gives up on: `<queue>-poison`. */
export const POISON_QUEUE = `${EVENTS_QUEUE}-poison`;
/** Where Event Grid puts ACS delivery reports (infra/modules/eventgrid.bicep); the deliveryReports function reads it. */
export const DELIVERY_REPORTS_QUEUE = 'pim-delivery-reports';
export const DELIVERY_REPORTS_POISON_QUEUE = `${DELIVERY_REPORTS_QUEUE}-poison`;
