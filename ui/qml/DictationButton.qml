import QtQuick
import QtQuick.Controls
import Prism.Ui

// The composer's microphone: hold to record, release to have the words typed into the
// composer (Whisper, the model chosen in the settings). Without a microphone or a speech model
// it says why.
ToolButton {
    id: button
    objectName: "micButton"
    required property var dictation
    signal transcribed(string text)
    signal failed(string reason)

    // Words, not an emoji: the fonts the package depends on have no microphone glyph.
    text: dictation.transcribing ? "…" : qsTr("Mic")
    checkable: false
    highlighted: dictation.recording
    Accessible.name: dictation.recording ? qsTr("Recording; release to type what was said")
                                         : qsTr("Dictate (hold to record)")
    ToolTip.visible: hovered
    ToolTip.delay: 300
    ToolTip.text: dictation.recording ? qsTr("Recording %1 s").arg(dictation.recordedSeconds.toFixed(1))
                                      : qsTr("Hold to dictate")
    onPressed: dictation.start()
    onReleased: dictation.finish()
    onCanceled: dictation.cancel()

    Connections {
        target: button.dictation
        function onTranscribed(text) { button.transcribed(text) }
        function onFailed(reason) { button.failed(reason) }
    }
}
