from django.core.management.base import BaseCommand

from notifications.services import sweep


class Command(BaseCommand):
    help = "Run one reminder sweep now (the same function as the periodic task)."

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(
            f"提醒：新发送 {result.sent} 封，失败 {result.failed} 封，"
            f"已发送过而跳过 {result.skipped_existing} 封；"
            f"专利文献部汇总邮件：{'已发送' if result.summary_sent else '无'}"
        )
