import pytest

from storyclip_desktop.domain.status import TransitionError
from storyclip_desktop.domain.validation import ValidationError
from storyclip_desktop.services import Conflict, NotFound
from storyclip_desktop.services.demo import create_demo


def test_create_describe_rename_and_list_with_counts(services):
    pid = services.projects.create("가을 산책", description="설명", script="첫 문장. 둘째 문장.")
    services.scenes.split(pid)
    services.scenes.edit(pid, "S1", {"image_prompt": "a palace"})
    services.projects.rename(pid, "가을")
    services.projects.describe(pid, "new description")
    [summary] = services.projects.list()
    assert summary.title == "가을" and summary.description == "new description"
    assert summary.scene_count == 1 or summary.scene_count == 2
    assert sum(summary.status_counts.values()) == summary.scene_count
    assert summary.status_counts.get("prompt") == 1


@pytest.mark.parametrize(
    "call,field",
    [
        (lambda sv, pid: sv.projects.rename(pid, "열한글자제목입니다요요"), "title"),
        (lambda sv, pid: sv.projects.describe(pid, "x" * 201), "description"),
        (lambda sv, pid: sv.projects.set_script(pid, "가" * 2001), "script"),
        (lambda sv, pid: sv.preferences.update(pid, custom_style="s" * 201), "custom_style"),
        (lambda sv, pid: sv.preferences.update(pid, split_rule="r" * 1201), "split_rule"),
        (lambda sv, pid: sv.preferences.update(pid, stability=1.5), "stability"),
        (lambda sv, pid: sv.preferences.update(pid, resolution="4k"), "resolution"),
        (lambda sv, pid: sv.preferences.update(pid, ratio="2:1"), "ratio"),
        (lambda sv, pid: sv.preferences.update(pid, image_gen_model="DALL-E"), "image_gen_model"),
        (lambda sv, pid: sv.preferences.update(pid, video_gen_model="Sora"), "video_gen_model"),
        (lambda sv, pid: sv.preferences.update(pid, voice_gen_model="Alice"), "voice_gen_model"),
        (lambda sv, pid: sv.preferences.update(pid, ratio="1:1", stability=-1), "stability"),
    ],
)
def test_validation_through_the_service_changes_nothing(services, call, field):
    pid = services.projects.create("제목", script="원래 대본.")
    before = services.projects.get(pid)
    with pytest.raises(ValidationError) as e:
        call(services, pid)
    assert e.value.field == field
    assert services.projects.get(pid) == before


def test_script_of_2000_korean_characters_is_accepted(services):
    pid = services.projects.create("긴 대본")
    services.projects.set_script(pid, "가" * 2000)
    assert len(services.projects.get(pid).script) == 2000


def test_delete_removes_everything_under_the_project(services):
    pid = create_demo(services)
    services.scenes.edit(pid, "S1", {"image_prompt": "p"})
    services.reviews.confirm(pid, "S1")
    services.assets.add_scene_version(pid, "S1", "image", "file:///a.png")
    services.projects.delete(pid)
    assert services.projects.list() == []
    with pytest.raises(NotFound):
        services.scenes.list(pid)
    from sqlalchemy import text

    with services.db.engine.connect() as c:
        for table in ("scene", "asset", "video_preference", "scene_review"):
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


def test_resplit_needs_replace_and_keeps_labels_fresh(services):
    pid = services.projects.create("분할", script="하나. 둘.\n\n셋.")
    first = services.scenes.split(pid)
    with pytest.raises(Conflict, match="already has"):
        services.scenes.split(pid)
    again = services.scenes.split(pid, replace=True)
    assert {s.scene_id for s in first}.isdisjoint({s.scene_id for s in again})
    assert [s.order for s in again] == list(range(1, len(again) + 1))


def test_split_empty_script_is_refused(services):
    pid = services.projects.create("빈 대본")
    with pytest.raises(ValidationError, match="script"):
        services.scenes.split(pid)


def test_editing_a_confirmed_prompt_sends_scene_back_to_review(services):
    pid = services.projects.create("p", script="a.")
    services.scenes.split(pid)
    services.scenes.edit(pid, "S1", {"image_prompt": "first"})
    services.reviews.confirm(pid, "S1")
    assert services.scenes.get(pid, "S1").status == "prompt_confirmed"
    services.scenes.edit(pid, "S1", {"narration": "only narration changed"})
    assert services.scenes.get(pid, "S1").status == "prompt_confirmed"
    services.scenes.edit(pid, "S1", {"image_prompt": "second"})
    assert services.scenes.get(pid, "S1").status == "prompt"


def test_raw_json_errors_are_clear(services):
    pid = services.projects.create("p", script="a.")
    services.scenes.split(pid)
    with pytest.raises(ValidationError, match="not valid JSON"):
        services.scenes.replace_json(pid, "S1", "{bad")
    with pytest.raises(ValidationError, match="duration"):
        services.scenes.replace_json(pid, "S1", '{"duration": 99}')
    assert services.scenes.get(pid, "S1").scene_json == {"narration": "a."}


def test_review_flow_with_comments(services):
    pid = services.projects.create("review", script="a.")
    services.scenes.split(pid)
    with pytest.raises(TransitionError):
        services.reviews.confirm(pid, "S1")
    services.scenes.edit(pid, "S1", {"image_prompt": "a cat"})
    assert services.reviews.confirm(pid, "S1").status == "prompt_confirmed"
    services.assets.add_scene_version(pid, "S1", "image", "file:///v1.png", {"provider": "local"})
    rejected = services.reviews.reject(pid, "S1", "너무 어두워요")
    assert rejected.status == "prompt_confirmed"
    history = services.reviews.history(pid, "S1")
    assert [(h.action, h.comment) for h in history] == [("confirm_prompt", None), ("reject", "너무 어두워요")]


def test_confirming_a_replaced_image_is_refused_naming_the_new_version(services):
    pid = services.projects.create("img", script="a.")
    services.scenes.split(pid)
    services.scenes.edit(pid, "S1", {"image_prompt": "x"})
    services.reviews.confirm(pid, "S1")
    services.assets.add_scene_version(pid, "S1", "image", "file:///1.png")
    services.assets.add_scene_version(pid, "S1", "image", "file:///2.png")
    with pytest.raises(ValidationError, match="replaced by v2"):
        services.reviews.confirm_image(pid, "S1", version=1)
    assert services.reviews.confirm_image(pid, "S1", version=2).status == "image_confirmed"


def test_undo_last_review_restores_status_and_history(services):
    pid = services.projects.create("undo", script="a.")
    services.scenes.split(pid)
    services.scenes.edit(pid, "S1", {"image_prompt": "x"})
    services.reviews.confirm(pid, "S1")
    services.reviews.reject(pid, "S1", "again")
    assert services.reviews.undo_last(pid, "S1", "reject").status == "prompt_confirmed"
    assert [h.action for h in services.reviews.history(pid, "S1")] == ["confirm_prompt"]
    assert services.reviews.undo_last(pid, "S1", "confirm_prompt").status == "prompt"
    assert services.reviews.history(pid, "S1") == []
    with pytest.raises(ValidationError, match="changed since"):
        services.reviews.undo_last(pid, "S1", "confirm_prompt")
