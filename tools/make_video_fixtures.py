#!/usr/bin/env python3
"""Writes the video fixtures under tests/data/video/ (the media, session and CLI tests read them;
CI never runs this script, its outputs are committed).

usage: tools/make_video_fixtures.py

Needs the ffmpeg command-line tool (Debian: apt-get install ffmpeg) and Python 3 only.

Every clip is 64x48 pixels at 10 frames per second and shows one solid colour per second, in
the order of COLOURS (second 0 red, second 1 green, ...), so a test can tell from a frame's
mean colour which second it came from. Keyframes are 3 seconds apart (GOP 30) in the 6-second
clips, so reaching second 1 or 2 after a seek means decoding on from the keyframe at 0.
The sound, where there is any, is a 440 Hz sine at 16 kHz mono for the whole clip.

- colours_h264_aac.mp4: H.264 + AAC in MP4, 6 s
- colours_vp9_opus.webm: VP9 + Opus in WebM, 6 s
- colours_h264.mkv: H.264 in Matroska, no sound, 6 s
- colours_mpeg4.mov: MPEG-4 part 2 in QuickTime MOV, no sound, 6 s
- colours_30s.mp4: H.264 in MP4, 30 s (the colours repeat every 6 s), a keyframe every
  second, no sound: sampling a few frames of it must seek instead of decoding all 300
- colours_rotated.mp4: the colours with a white 16x16 square in the top-left corner, H.264 in
  MP4 with a 90 degree rotation in its display matrix (a phone held upright): shown upright,
  the picture is 48x64 with the square in the bottom-left corner (as `ffmpeg -i` outputs it)
- bench_640x360.mp4: for prism-bench video, not the tests: 10 s of FFmpeg's testsrc2 pattern
  at 640x360, 25 frames per second, H.264 with a keyframe every 2 s, AAC sound
"""
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "video"

COLOURS = ["red", "lime", "blue", "yellow", "magenta", "cyan"]  # 0xFF0000, 0x00FF00, ...
SIZE = "64x48"
RATE = 10


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def colour_graph(seconds, after=""):
    """A filter graph of `seconds` one-second solid colours, concatenated into [v]."""
    parts, labels = [], ""
    for i in range(seconds):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f"color=c={colour}:s={SIZE}:r={RATE}:d=1[c{i}]")
        labels += f"[c{i}]"
    parts.append(f"{labels}concat=n={seconds}:v=1:a=0{after},format=yuv420p[v]")
    return ";".join(parts)


def bitexact(path):
    return ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact", str(path)]


def make(name, seconds, video_codec, audio_codec=None, extra=(), after=""):
    args = ["-filter_complex", colour_graph(seconds, after), "-map", "[v]"]
    if audio_codec:
        args = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:duration={seconds}",
                *args, "-map", "0:a", "-ac", "1", *audio_codec]
    ffmpeg(*args, *video_codec, *extra, *bitexact(OUT / name))  # name may be a whole path


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    h264 = ["-c:v", "libx264", "-preset", "medium", "-crf", "30", "-g", "30", "-threads", "1"]
    make("colours_h264_aac.mp4", 6, h264, ["-c:a", "aac", "-b:a", "16k"])
    make("colours_vp9_opus.webm", 6,
         ["-c:v", "libvpx-vp9", "-b:v", "50k", "-g", "30", "-threads", "1"],
         ["-c:a", "libopus", "-b:a", "16k"])
    make("colours_h264.mkv", 6, h264)
    make("colours_mpeg4.mov", 6, ["-c:v", "mpeg4", "-q:v", "10", "-g", "30"])
    make("colours_30s.mp4", 30,
         ["-c:v", "libx264", "-preset", "medium", "-crf", "30", "-g", "10", "-threads", "1"])
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=10",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=16000:duration=10",
           "-c:v", "libx264", "-preset", "medium", "-crf", "45", "-g", "50", "-threads", "1",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "16k", "-ac", "1",
           *bitexact(OUT / "bench_640x360.mp4"))
    # "rotate" metadata is how ffmpeg 5.1 writes an MP4's display matrix, on a stream copy
    # only (an encoder drops it).
    with tempfile.TemporaryDirectory() as scratch:
        marked = Path(scratch) / "marked.mp4"
        make(marked, 6, h264, after=",drawbox=x=0:y=0:w=16:h=16:color=white:t=fill")
        ffmpeg("-i", str(marked), "-c", "copy", "-metadata:s:v:0", "rotate=90",
               *bitexact(OUT / "colours_rotated.mp4"))


if __name__ == "__main__":
    main()
