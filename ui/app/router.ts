/**
 * Screens and their addresses. Hash history, because extension pages are files and the PWA's
 * service worker then serves one shell for every screen. A device that is not set up sees only
 * the onboarding screens; a set-up one never sees them again (except the recovery kit step of an
 * onboarding in progress).
 */
import { createRouter, createWebHashHistory, type Router, type RouteRecordRaw } from 'vue-router';
import { useOnboardingStore } from '../stores/onboarding-store.js';
import { useSessionStore } from '../stores/session-store.js';

declare module 'vue-router' {
  interface RouteMeta {
    /** A screen of a device that is not set up yet. */
    onboarding?: boolean;
    /** The document title's first part. */
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/inbox' },
  {
    path: '/welcome',
    component: () => import('../views/onboarding/welcome-view.vue'),
    meta: { onboarding: true, title: 'Welcome' },
  },
  {
    path: '/create',
    component: () => import('../views/onboarding/create-account-view.vue'),
    meta: { onboarding: true, title: 'Create your account' },
  },
  {
    path: '/link',
    component: () => import('../views/linking/link-this-device-view.vue'),
    meta: { onboarding: true, title: 'Link this device' },
  },
  {
    path: '/recover',
    component: () => import('../views/onboarding/recover-view.vue'),
    meta: { onboarding: true, title: 'Sign in with your recovery key' },
  },
  { path: '/inbox', component: () => import('../views/inbox/inbox-view.vue'), meta: { title: 'Inbox' } },
  {
    path: '/inbox/:id([0-9a-f]{32})',
    component: () => import('../views/inbox/inbox-view.vue'),
    meta: { title: 'Conversation' },
  },
  { path: '/search', component: () => import('../views/search/search-view.vue'), meta: { title: 'Search' } },
  {
    path: '/canned',
    component: () => import('../views/canned/canned-replies-view.vue'),
    meta: { title: 'Canned replies' },
  },
  { path: '/team', component: () => import('../views/team/team-view.vue'), meta: { title: 'Team and devices' } },
  {
    path: '/team/invite',
    component: () => import('../views/team/invite-agent-view.vue'),
    meta: { title: 'Invite an agent' },
  },
  {
    path: '/team/link',
    component: () => import('../views/linking/link-other-device-view.vue'),
    meta: { title: 'Link a device' },
  },
  {
    path: '/business',
    component: () => import('../views/business/business-view.vue'),
    meta: { title: 'Chat widget and website' },
  },
  { path: '/settings', component: () => import('../views/settings/settings-view.vue'), meta: { title: 'Settings' } },
  { path: '/:rest(.*)*', redirect: '/inbox' },
];

export function createAgentRouter(): Router {
  const router = createRouter({ history: createWebHashHistory(), routes });
  router.beforeEach(async (to) => {
    const session = useSessionStore();
    if (!session.loaded) await session.load();
    if (session.startError !== undefined) return true; // the shell shows the error instead of a screen
    const onboarding = to.meta.onboarding === true;
    // A device that finished linking or recovery a moment ago may still be read as new here (the
    // session reloads after the runtime's event): ask the runtime before sending the person back.
    if (!session.enrolled && !onboarding) await session.load();
    if (!session.enrolled && !onboarding) return '/welcome';
    if (session.enrolled && onboarding && !useOnboardingStore().inProgress) return '/inbox';
    return true;
  });
  router.afterEach((to) => {
    document.title = `${to.meta.title ?? 'Sealdesk'} · Sealdesk`;
  });
  return router;
}
