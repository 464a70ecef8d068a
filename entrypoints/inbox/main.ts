// The full-tab inbox (inbox.html): the same app with room for the list and the conversation side by side.
import { mountExtensionApp } from '../extension-ui/mount-extension-app.js';

mountExtensionApp({ offerFullTab: false });
