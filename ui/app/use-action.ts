/** Runs a person's action and keeps its failure, in plain words, for the screen to show. */
import { ref, type Ref } from 'vue';
import { describeError, type PersonMessage } from '../errors/describe-error.js';

export interface ActionState {
  readonly error: Ref<PersonMessage | undefined>;
  run(action: () => Promise<void>): Promise<void>;
}

export function useAction(): ActionState {
  const error = ref<PersonMessage | undefined>();
  return {
    error,
    async run(action) {
      error.value = undefined;
      try {
        await action();
      } catch (caught) {
        error.value = describeError(caught);
      }
    },
  };
}
