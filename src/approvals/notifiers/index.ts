// The notifiers' public surface: build notifiers from config, then hand them to one queue.
export type { ApprovalLinks, ApprovalNotice, Notifier, NotifierChannel, NotifierLogger } from "./types.ts";
export { createSlackNotifier, type SlackNotifierOptions } from "./slack-notifier.ts";
export { createTeamsNotifier, type TeamsNotifierOptions } from "./teams-notifier.ts";
export { createWebhookNotifier, type WebhookNotifierOptions, type WebhookEvent, WEBHOOK_EVENT_TYPE } from "./webhook-notifier.ts";
export { signWebhookBody, verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./webhook-signature.ts";
export { notifierChannels } from "./notifier-channels.ts";
export { createNotificationQueue, type NotificationQueue, type NotificationQueueOptions, type NotificationStats, type RetryOptions } from "./notification-queue.ts";
export { buildSlackMessage, SLACK_APPROVE_ACTION_ID, SLACK_DENY_ACTION_ID } from "./slack-message.ts";
export { buildTeamsMessage } from "./teams-card.ts";
export { createGroupedSlackNotifier, groupedSlackMessage, type GroupedSlackOptions } from "./slack-grouped-notifier.ts";
