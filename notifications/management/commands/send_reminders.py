from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from notifications.services import sweep


class Command(BaseCommand):
    help = "Run one reminder sweep now (the same function as the periodic task)."

    def handle(self, *args, **options):
        result = sweep()
        message = (
            _(
                "提醒：新发送 %(sent)d 封，失败 %(failed)d 封，已发送过而跳过 %(skipped)d 封；"
                "专利文献部汇总邮件已发送。"
            )
            if result.summary_sent
            else _(
                "提醒：新发送 %(sent)d 封，失败 %(failed)d 封，已发送过而跳过 %(skipped)d 封；"
                "无专利文献部汇总邮件。"
            )
        )
        counts = {
            "sent": result.sent,
            "failed": result.failed,
            "skipped": result.skipped_existing,
        }
        self.stdout.write(message % counts)
