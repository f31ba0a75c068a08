"""The Telegram bot: commands, subscriptions and their inline keyboards."""
