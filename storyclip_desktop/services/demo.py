"""The sample project a first run opens: a bilingual script, already split."""

from __future__ import annotations

from .app import Services

DEMO_TITLE = "서울의 가을"
DEMO_DESCRIPTION = "A 30-second autumn walk through Seoul / 서울 가을 산책 숏폼"
DEMO_SCRIPT = """서울의 가을은 짧지만 강렬합니다. 북한산 능선이 붉게 물들기 시작하면 도시 전체가 천천히 색을 바꿉니다.

아침 일찍 경복궁 돌담길을 걸어 보세요. 은행잎이 바람에 흩날리고, 궁궐 지붕 위로 햇살이 내려앉습니다.

In the afternoon, the Han River parks fill with picnics. Cyclists glide past fields of silver reeds.

해가 지면 남산타워에 불이 켜집니다. 서울의 밤은 가을에 가장 아름답습니다!"""


def create_demo(services: Services) -> int:
    pid = services.projects.create(DEMO_TITLE, description=DEMO_DESCRIPTION, script=DEMO_SCRIPT)
    services.preferences.update(pid, custom_style="warm film photography, soft light")
    services.scenes.split(pid)
    return pid
