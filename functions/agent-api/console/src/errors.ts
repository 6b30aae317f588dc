import { ApiError } from './api';
import { t } from './i18n';

/** An error in words for the agent: never a blank page, never a stack trace. */
export function errorWords(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return t('errGeneric', { detail: error instanceof Error ? error.message : String(error) });
  }
  const detail = error.message;
  switch (error.code) {
    case 'NETWORK':
      return t('errNetwork');
    case 'UNAVAILABLE':
      return t('errUnavailable');
    case 'INTERNAL':
      return t('errInternal');
    case 'FORBIDDEN':
      return t('errForbidden', { detail });
    case 'NOT_FOUND':
      return t('errNotFound');
    case 'CONFLICT':
      return t('errConflict', { detail });
    case 'INVALID_ARGUMENT':
      return t('errInvalid', { detail });
    default:
      return error.status >= 500 ? t('errInternal') : t('errGeneric', { detail });
  }
}
