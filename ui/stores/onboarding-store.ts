/**
 * The account-creation walk: details → key stretching → recovery key (shown once) → type part of
 * it back → done. The recovery key lives only here, in memory, until the walk ends; Sealdesk never
 * stores it (api-agent.ts, AccountCreated).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useRuntime, usePlatform } from '../app/injection.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';
import { PermissionDeniedError } from '../errors/app-errors.js';
import { checkAccountForm, type AccountForm } from '../validation/account-form.js';
import { normaliseRelayUrl } from '../validation/relay-url.js';
import { useSessionStore } from './session-store.js';

export const ONBOARDING_STEPS = {
  details: 'details',
  creating: 'creating',
  recoveryKey: 'recovery-key',
  confirmKey: 'confirm-key',
  done: 'done',
} as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[keyof typeof ONBOARDING_STEPS];

export interface AccountDetails extends AccountForm {
  readonly relayUrl: string;
}

function emptyDraft(relayUrl: string): AccountDetails {
  return { relayUrl, businessName: '', ownerName: '', username: '', password: '', passwordAgain: '' };
}

export const useOnboardingStore = defineStore('onboarding', () => {
  const runtime = useRuntime();
  const platform = usePlatform();
  const step = ref<OnboardingStep>('details');
  const progress = ref<{ done: number; total: number }>({ done: 0, total: 1 });
  const error = ref<PersonMessage | undefined>();
  const recoveryKey = ref<string | undefined>();
  const fingerprint = ref<string | undefined>();
  const businessName = ref('');
  const username = ref('');
  const relayUrl = ref('');
  /** The form as typed, kept across a failed attempt (in memory only; cleared when the walk ends). */
  const draft = ref<AccountDetails>(emptyDraft(platform.suggestedRelayUrl));
  const inProgress = computed(() => step.value !== 'details' && step.value !== 'done');

  async function create(details: AccountDetails): Promise<void> {
    error.value = undefined;
    try {
      const relay = normaliseRelayUrl(details.relayUrl);
      const form = checkAccountForm(details);
      // Extension: host access to this one relay is asked for now, not at install (optional_host_permissions).
      if (!(await platform.requestRelayAccess(relay))) {
        throw new PermissionDeniedError('Access to the relay was declined.');
      }
      step.value = 'creating';
      progress.value = { done: 0, total: 1 };
      const created = await runtime.createAccount(
        { ...form, relayUrl: relay, deviceKind: platform.deviceKind },
        (done, total) => {
          progress.value = { done, total };
        },
      );
      recoveryKey.value = created.recoveryKey;
      fingerprint.value = created.fingerprint;
      businessName.value = form.businessName;
      username.value = form.username;
      relayUrl.value = relay;
      step.value = 'recovery-key';
    } catch (caught) {
      error.value = describeError(caught);
      step.value = 'details';
    }
  }

  function keyWrittenDown(): void {
    step.value = 'confirm-key';
  }

  function backToKey(): void {
    step.value = 'recovery-key';
  }

  async function finish(): Promise<void> {
    recoveryKey.value = undefined;
    draft.value = emptyDraft(platform.suggestedRelayUrl);
    step.value = 'done';
    await useSessionStore().load();
  }

  return {
    step,
    progress,
    error,
    recoveryKey,
    fingerprint,
    businessName,
    username,
    relayUrl,
    draft,
    inProgress,
    create,
    keyWrittenDown,
    backToKey,
    finish,
  };
});
