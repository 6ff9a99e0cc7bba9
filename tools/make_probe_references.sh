#!/usr/bin/env bash
# Writes tests/data/video/ffprobe_durations.tsv: ffprobe's container length (format duration)
# and picture size of the sound and video fixtures that the probe tests compare with.
# Usage: tools/make_probe_references.sh   (needs the ffmpeg package's ffprobe)
set -euo pipefail
cd "$(dirname "$0")/../tests/data"
out=video/ffprobe_durations.tsv
files=(audio/jfk.wav audio/jfk.mp3 audio/speech_44k_stereo.m4a audio/speech_48k.opus
       audio/speech_16k.flac audio/speech_video.mp4 video/colours_h264_aac.mp4
       video/colours_h264.mkv video/colours_vp9_opus.webm video/bench_640x360.mp4)
{
  printf '# file\tduration_seconds\twidth\theight  (%s)\n' "$(ffprobe -version | head -1)"
  for f in "${files[@]}"; do
    duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$f")
    width=${size%%,*}
    height=${size##*,}
    printf '%s\t%s\t%s\t%s\n' "$f" "$duration" "${width:-0}" "${height:-0}"
  done
} >"$out"
echo "wrote tests/data/$out"
