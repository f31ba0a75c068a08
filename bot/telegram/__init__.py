"""The Telegram bot: commands, subscriptions and their inline keyboards."""

from bot.telegram.app import BotServices, build_application
from bot.telegram.types import RuleInfo, StatusReport, StorySummary

__all__ = ["BotServices", "RuleInfo", "StatusReport", "StorySummary", "build_application"]
