import { t } from '../i18n/i18n'
import type { ErrorInfo } from '../protocol/errors'

/**
 * An error from the engine in the person's language where its code alone says it all (a full
 * disk); otherwise the engine's own message, which names specifics (a field, a URL, a status)
 * and is written in English.
 */
export function errorText(error: ErrorInfo): string {
  switch (error.code) {
    case 'QUOTA': return t('error.quota')
    default: return error.message
  }
}
