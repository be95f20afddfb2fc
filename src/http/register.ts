import type { Convenience } from "telegraf/types";

/** The one Bot API call webhook registration needs (telegraf's `bot.telegram` fits). */
export interface WebhookApi {
  setWebhook(
    url: string,
    extra: {
      secret_token: string;
      allowed_updates: readonly Convenience.UpdateType[];
      drop_pending_updates: boolean;
    },
  ): Promise<unknown>;
}

export interface RegisterWebhookOptions {
  /** Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token. */
  secretToken: string;
  /**
   * Update types to receive. Default [] which, unlike omitting the field, resets any earlier
   * restriction to Telegram's default (everything but chat_member and reactions), as long polling gets.
   */
  allowedUpdates?: readonly Convenience.UpdateType[];
}

/** setWebhook with the secret, keeping updates that queued while the bot was down (drop_pending_updates false). */
export async function registerWebhook(
  api: WebhookApi,
  url: string,
  opts: RegisterWebhookOptions,
): Promise<void> {
  await api.setWebhook(url, {
    secret_token: opts.secretToken,
    allowed_updates: opts.allowedUpdates ?? [],
    drop_pending_updates: false,
  });
}

/** The path part of WEBHOOK_URL, which is what Telegram requests on our server. */
export function webhookPath(url: string): string {
  return new URL(url).pathname;
}
