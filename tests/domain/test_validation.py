import pytest

from storyclip_desktop.domain import validation as v

KOREAN_10 = "가나다라마바사아자차"


def test_title_counts_korean_by_characters():
    assert v.title(KOREAN_10) == KOREAN_10  # 30 bytes in UTF-8, 10 characters
    with pytest.raises(v.ValidationError, match="at most 10 characters"):
        v.title(KOREAN_10 + "카")


@pytest.mark.parametrize("bad", ["", "   "])
def test_title_must_not_be_empty(bad):
    with pytest.raises(v.ValidationError, match="must not be empty"):
        v.title(bad)


@pytest.mark.parametrize(
    "fn,limit",
    [(v.description, 200), (v.script, 2000), (v.custom_style, 200), (v.split_rule, 1200)],
)
def test_length_limits_in_characters(fn, limit):
    assert fn("한" * limit) == "한" * limit
    assert fn(None) is None
    with pytest.raises(v.ValidationError, match=f"at most {limit} characters"):
        fn("한" * (limit + 1))


@pytest.mark.parametrize("ok", [0, 0.5, 1, "0.25"])
def test_stability_in_range(ok):
    assert 0 <= v.stability(ok) <= 1


@pytest.mark.parametrize("bad", [-0.01, 1.01, "high", float("nan"), None])
def test_stability_out_of_range(bad):
    with pytest.raises(v.ValidationError, match="stability"):
        v.stability(bad)


@pytest.mark.parametrize(
    "fn,good,bad",
    [
        (v.resolution, "720p", "4k"),
        (v.ratio, "9:16", "2:1"),
        (v.image_model, "GPT", "Midjourney"),
        (v.video_model, "Kling", "Sora"),
        (v.voice_model, "Otani", "Alice"),
        (v.token_type, "seedance", "dalle"),
    ],
)
def test_choices(fn, good, bad):
    assert fn(good) == good
    with pytest.raises(v.ValidationError, match="must be one of"):
        fn(bad)


def test_login_method():
    assert v.login_method("kakao") == "kakao"
    with pytest.raises(v.ValidationError, match="at most 10"):
        v.login_method("facebook-login")
    with pytest.raises(v.ValidationError, match="must be one of"):
        v.login_method("github")


@pytest.mark.parametrize("good", ["a@b.co", "편집자@회사.kr", "first.last+tag@studio.example.com"])
def test_email_ok(good):
    assert v.email(good) == good


@pytest.mark.parametrize("bad", ["", "no-at.example.com", "a@b", "a @b.com", "a@b.com ", "a@@b.com"])
def test_email_bad(bad):
    with pytest.raises(v.ValidationError, match="not an email"):
        v.email(bad)


def test_scene_json_fields():
    v.scene_json({"narration": "안녕", "duration": 5, "extra": [1]})
    v.scene_json({"duration": 4.567, "fit": "loop"})  # frame exact at 30 fps
    for bad in (90, 0.2, 4.5678, True, "5", float("nan")):
        with pytest.raises(v.ValidationError, match="duration"):
            v.scene_json({"duration": bad})
    with pytest.raises(v.ValidationError, match="fit: must be one of hold, loop, slow"):
        v.scene_json({"fit": "stretch"})
    with pytest.raises(v.ValidationError, match="JSON object"):
        v.scene_json([1, 2])
