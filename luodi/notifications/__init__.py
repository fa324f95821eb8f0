"""Outbound notifications: email and group-chat webhooks (WeCom, DingTalk, Feishu/Lark),
chosen per user and per team (an organization), each message sent by a retried job.

Call sites (pipeline reminders, matchmaking open calls and match alerts, event
registrations) describe *what* happened with `domain.notify`; this app decides *where* it
goes from the recipients' preferences and channels, and records one `Delivery` per channel.
"""
