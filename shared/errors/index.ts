export { SealdeskError } from './sealdesk-error.js';
export {
  CryptoUnavailableError,
  DecodeError,
  DecryptError,
  InvalidKeyError,
  LimitError,
  SignatureError,
  UsageError,
} from './kinds.js';
