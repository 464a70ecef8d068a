// The options page: the same app, opened at its settings screen.
import { mountExtensionApp } from '../extension-ui/mount-extension-app.js';

mountExtensionApp({ offerFullTab: true, startAt: '/settings' });
