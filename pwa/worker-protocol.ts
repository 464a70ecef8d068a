/** The page asks its runtime worker for a bridge channel by sending this with a MessagePort. */
export const CONNECT_MESSAGE = 'sealdesk-connect';
