#pragma once

// Voice activity detection: Silero VAD probabilities per 32-ms window
// (VoiceActivityDetector), speech segments from them (SpeechSegmenter, detect_speech; in
// seconds for a transcription, speech_clips) and the two together on a live stream
// (SpeechStream).

#include "prism/vad/speech_clips.hpp"
#include "prism/vad/speech_segmenter.hpp"
#include "prism/vad/speech_stream.hpp"
#include "prism/vad/voice_activity_detector.hpp"
