from django import forms

from accounts.models import User


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_by", "language"]
        widgets = {"notify_by": forms.RadioSelect}
