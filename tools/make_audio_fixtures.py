#!/usr/bin/env python3
"""Writes the audio fixtures under tests/data/audio/ (the media tests read them; CI never runs
this script, its outputs are committed).

usage: tools/make_audio_fixtures.py [SHARED_AUDIO_DIR]

Needs the ffmpeg command-line tool (Debian: apt-get install ffmpeg) and Python 3 only.

- Copies the five real speech clips (jfk.wav, jfk.mp3 and three LibriSpeech clips) byte for
  byte from SHARED_AUDIO_DIR (default ../shared/data/audio) and checks their sha256.
- Derives every other format from the first second (16000 samples) of 2830-3980-0043.wav:
  WAV with 8-bit, 24-bit, 32-bit and float samples at several rates, FLAC (mono and 44.1 kHz
  stereo), MP3, Ogg Vorbis, Opus, M4A/AAC, ADTS AAC (16 kHz mono; 44.1 kHz stereo), an MP4
  (H.264 + AAC) and a WebM (VP8 + Vorbis; two seconds of picture, one of sound) with a sound
  track, an MP4 without one, and half a second of silence.
  Stereo files carry the speech at full level on the left and at half level on the right.
- decoded_references.txt: what the ffmpeg tool itself makes of each fixture when asked for
  16 kHz mono float (`-ac 1 -ar 16000 -rematrix_maxval 1.0 -f f32le`, libswresample with its
  default filter; channels averaged): the sample count, then the RMS of each 1600-sample
  (100 ms) block, the last block possibly shorter.
"""
import array
import hashlib
import math
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "audio"

CLIPS = {
    "jfk.wav": "59dfb9a4acb36fe2a2affc14bacbee2920ff435cb13cc314a08c13f66ba7860e",
    "jfk.mp3": "20d3323a2bcce6f25498b8911a397503a0a99fa92b6ba58d62788cb42b6e5459",
    "2830-3980-0043.wav": "edb95472cb035f94979c40c28c89c804c0f9553616e401f2e332886e87b239ab",
    "4507-16021-0012.wav": "6d79019b582ec6980dd8a66bd3259d484e211a75944cdc44deecd0803015e8e3",
    "8455-210777-0068.wav": "53344c879abccb75f4f0ea9d407fc517ef44c668b696afd3b5dde6ed3e4aa478",
}
MASTER = "2830-3980-0043.wav"
FIRST_SECOND = "atrim=end_sample=16000"
STEREO = "pan=stereo|c0=c0|c1=0.5*c0"

# name -> (audio filter after the first-second cut, encoder options)
DERIVED = {
    "speech_u8_8k.wav": ("aresample=8000", ["-c:a", "pcm_u8"]),
    "speech_s24_22k.wav": ("aresample=22050", ["-c:a", "pcm_s24le"]),
    "speech_s32_16k.wav": (None, ["-c:a", "pcm_s32le"]),
    "speech_f32_11k.wav": ("aresample=11025", ["-c:a", "pcm_f32le"]),
    "speech_16k.flac": (None, ["-c:a", "flac"]),
    "speech_44k_stereo.flac": ("aresample=44100," + STEREO, ["-c:a", "flac"]),
    "speech_44k_stereo.mp3": ("aresample=44100," + STEREO, ["-c:a", "libmp3lame", "-b:a", "64k"]),
    "speech_16k.ogg": (None, ["-c:a", "libvorbis", "-q:a", "3"]),
    "speech_48k.opus": ("aresample=48000", ["-c:a", "libopus", "-b:a", "32k"]),
    "speech_44k_stereo.m4a": ("aresample=44100," + STEREO,
                              ["-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart"]),
    "speech_16k.aac": (None, ["-c:a", "aac", "-b:a", "32k", "-f", "adts"]),
    "speech_44k_stereo.aac": ("aresample=44100," + STEREO,
                              ["-c:a", "aac", "-b:a", "64k", "-f", "adts"]),
}


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def copy_clips(shared):
    for name, sha in CLIPS.items():
        data = (shared / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            sys.exit(f"{shared / name}: sha256 differs from PROVENANCE.md")
        shutil.copyfile(shared / name, OUT / name)


def bitexact(path):
    return ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact", str(path)]


def make_derived():
    master = str(OUT / MASTER)
    for name, (extra, codec) in DERIVED.items():
        chain = FIRST_SECOND + ("," + extra if extra else "")
        ffmpeg("-i", master, "-af", chain, *codec, *bitexact(OUT / name))
    # One second of 32x32 video at 5 frames per second with the speech as its sound track.
    video = ["-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=1"]
    ffmpeg(*video, "-i", master, "-af", FIRST_SECOND + ",aresample=44100", "-shortest",
           "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "48k", *bitexact(OUT / "speech_video.mp4"))
    # The WebM's picture lasts two seconds, its sound one: the file's length is not the sound's.
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=2", "-i", master,
           "-af", FIRST_SECOND + ",aresample=48000", "-c:v", "libvpx", "-b:v", "50k",
           "-c:a", "libvorbis", "-q:a", "2", *bitexact(OUT / "speech_video.webm"))
    ffmpeg(*video, "-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
           *bitexact(OUT / "video_no_audio.mp4"))
    ffmpeg("-f", "lavfi", "-i", "anullsrc=sample_rate=16000:channel_layout=mono",
           "-t", "0.5", "-c:a", "pcm_s16le", *bitexact(OUT / "silence_16k.wav"))


def decoded_reference(path):
    raw = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(path), "-vn", "-ac", "1",
         "-ar", "16000", "-rematrix_maxval", "1.0", "-f", "f32le", "-"],
        check=True, capture_output=True).stdout
    samples = array.array("f")
    samples.frombytes(raw)
    blocks = []
    for start in range(0, len(samples), 1600):
        block = samples[start:start + 1600]
        blocks.append(math.sqrt(sum(x * x for x in block) / len(block)))
    return len(samples), blocks


def write_decoded_references():
    names = sorted(p.name for p in OUT.iterdir()
                   if p.suffix in (".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac",
                                   ".mp4", ".webm") and p.name != "video_no_audio.mp4")
    lines = ["# file samples block_rms... (see tools/make_audio_fixtures.py)"]
    for name in names:
        count, blocks = decoded_reference(OUT / name)
        lines.append(" ".join([name, str(count)] + [f"{b:.7g}" for b in blocks]))
    (OUT / "decoded_references.txt").write_text("\n".join(lines) + "\n")


def main():
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "audio"
    OUT.mkdir(parents=True, exist_ok=True)
    copy_clips(shared)
    make_derived()
    write_decoded_references()


if __name__ == "__main__":
    main()
