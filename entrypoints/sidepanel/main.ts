// The side panel (Chrome) / sidebar (Firefox): the inbox beside the page, with a way to a full tab.
import { mountExtensionApp } from '../extension-ui/mount-extension-app.js';

mountExtensionApp({ offerFullTab: true });
