"""How long the render plan takes for 30 narrated scenes with a 5 s clip each (a Local
narration made by the job engine; clips made by ffmpeg), in a throw-away data folder.

    PYTHONPATH=. .venv/bin/python bench/plan_timing.py

Prints the first plan (reads every clip's and the narration's stream duration), a second
one (durations cached per file), and the window's plan (no file reads).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import imageio_ffmpeg


def main() -> None:
    root = tempfile.mkdtemp(prefix="storyclip-plan-bench-")
    for var, sub in (("STORYCLIP_DATA_DIR", "data"), ("STORYCLIP_CONFIG_DIR", "config"), ("STORYCLIP_MEDIA_DIR", "media")):
        os.environ[var] = os.path.join(root, sub)
    from storyclip_desktop.jobs.media_out import media_url
    from storyclip_desktop.media.library import MediaLibrary
    from storyclip_desktop.services import Services
    from tests.jobs.helpers import move_scene, run_jobs

    sv = Services.open(f"sqlite:///{root}/store.sqlite3", node=1)
    pid = sv.projects.create("bench")
    sv.scenes.split(pid, chunks=[f"장면 {i}의 이야기가 여기 있어요. Scene {i} goes on for a while." for i in range(1, 31)])
    run_jobs(sv, sv.generation.narration(pid).job_ids)
    media = MediaLibrary()
    for i, s in enumerate(sv.scenes.list(pid)):
        tmp = media.temp_path(".mp4")
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
             f"color=0x{i * 8:02x}4080:s=96x160:r=30:d=5", "-c:v", "libx264", str(tmp)],
            check=True,
        )  # fmt: skip
        move_scene(sv, pid, s.scene_id, "image_confirmed")
        url = media_url(media, media.store_file(tmp, ".mp4"))
        sv.assets.add_scene_version(pid, s.scene_id, "clip", url, {"duration": 5.0})
    runs = [
        ("first plan (reads 30 clip + 1 narration stream durations)", {}),
        ("second plan (stream durations cached)", {}),
        ("window plan (no file reads)", {"strict": False, "measure_files": False}),
    ]
    for label, kw in runs:
        t = time.perf_counter()
        plan = sv.render_plan.plan(pid, **kw)
        ms = (time.perf_counter() - t) * 1000
        print(f"{label}: {ms:.0f} ms; {len(plan.scenes)} scenes, {len(plan.cues)} cues, total {float(plan.total):.3f} s")
    sv.close()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
