from django import forms

from .models import AnnualSummary


class SummaryForm(forms.ModelForm):
    class Meta:
        model = AnnualSummary
        fields = [name for name, _label in AnnualSummary.SECTIONS]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4}) for name, _label in AnnualSummary.SECTIONS
        }
