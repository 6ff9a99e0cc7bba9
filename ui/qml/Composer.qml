import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs
import Prism.Ui

// The input box: text, attached files as removable chips (image thumbnails, sounds with a play
// button, video posters), attach, send and stop.
// Enter sends, Shift+Enter is a new line, Ctrl+V pastes an image or text; files can be
// dropped on it.
Rectangle {
    id: composer
    required property Theme theme
    required property ChatController chat
    required property EngineController engine
    property alias input: input
    // DictationController (the microphone button); null hides the button.
    property var dictation: null
    signal liveRequested()
    // A short message for the toast (why dictation gave nothing).
    signal notify(string message)

    function focusInput() { input.forceActiveFocus() }

    // A message the context could not hold comes back to be shortened.
    Connections {
        target: composer.chat
        function onMessageRefused(text) {
            if (input.text.length === 0)
                input.text = text
            composer.focusInput()
        }
    }
    function submit() {
        if (composer.chat.send(input.text))
            input.clear()
    }

    implicitHeight: column.implicitHeight + 20
    radius: 14
    color: theme.surface
    border.color: drop.containsDrag ? theme.accent : theme.border
    border.width: drop.containsDrag ? 2 : 1

    DropArea {
        id: drop
        objectName: "composerDropArea"
        anchors.fill: parent
        keys: ["text/uri-list"]
        // Called by the drop and by tests with a list of file URLs.
        function acceptUrls(urls) { composer.chat.dropUrls(urls) }
        onDropped: (d) => {
            if (d.hasUrls) {
                acceptUrls(d.urls)
                d.acceptProposedAction()
            }
        }
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 10
        spacing: 6

        ListView {
            id: thumbs
            objectName: "attachmentStrip"
            visible: count > 0
            Layout.fillWidth: true
            Layout.preferredHeight: 76
            orientation: ListView.Horizontal
            spacing: 8
            model: composer.chat.attachments
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Attached files")
            delegate: Item {
                id: thumb
                required property int index
                required property string source
                required property string name
                required property string detail
                required property string kind
                required property string duration
                required property url fileUrl
                required property bool importing
                width: kind === "image" ? 76 : (media.item ? media.item.implicitWidth : 76)
                height: 76
                Image {
                    visible: thumb.kind === "image"
                    anchors.fill: parent
                    source: thumb.kind === "image" ? thumb.source : ""
                    fillMode: Image.PreserveAspectCrop
                    asynchronous: true
                    Accessible.role: Accessible.Graphic
                    Accessible.name: thumb.name
                    ToolTip.visible: hover.hovered
                    ToolTip.text: thumb.name + " (" + thumb.detail + ")"
                    HoverHandler { id: hover }
                }
                RoundButton {
                    visible: thumb.kind === "image"
                    anchors.top: parent.top
                    anchors.right: parent.right
                    width: 24
                    height: 24
                    padding: 0
                    text: "×"
                    Accessible.name: qsTr("Remove %1").arg(thumb.name)
                    onClicked: composer.chat.attachments.remove(thumb.index)
                }
                // Sounds and videos only: an image's thumbnail holds no player.
                Loader {
                    id: media
                    active: thumb.kind !== "image"
                    anchors.fill: parent
                    sourceComponent: MediaChip {
                        theme: composer.theme
                        kind: thumb.kind
                        name: thumb.name
                        duration: thumb.duration
                        posterSource: thumb.kind === "video" ? thumb.source : ""
                        fileUrl: thumb.fileUrl
                        removable: true
                        onRemoveRequested: composer.chat.attachments.remove(thumb.index)
                    }
                }
                // Until the history holds its copy (made off the UI thread), Send waits.
                Rectangle {
                    objectName: "importingBadge"
                    visible: thumb.importing
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.bottom: parent.bottom
                    anchors.margins: 2
                    height: importingLabel.implicitHeight + 4
                    radius: 4
                    color: "#c0000000"
                    Label {
                        id: importingLabel
                        anchors.centerIn: parent
                        text: qsTr("importing…")
                        color: "white"
                        font.pixelSize: 11
                    }
                    Accessible.role: Accessible.StaticText
                    Accessible.name: qsTr("%1 is being copied into the history").arg(thumb.name)
                }
            }
        }

        RowLayout {
            visible: composer.chat.attachmentsProblem.length > 0
            Layout.fillWidth: true
            spacing: 8
            Label {
                objectName: "visionWarning"
                visible: parent.visible
                text: composer.chat.attachmentsProblem
                color: composer.theme.danger
                wrapMode: Text.Wrap
                Layout.fillWidth: true
                font.pixelSize: 12
            }
            // A sound the model cannot hear can still become words, with the dictation's
            // speech model.
            Button {
                objectName: "transcribeButton"
                visible: composer.chat.unheardAudio && composer.dictation !== null
                         && composer.dictation.hasSpeechModel
                enabled: !composer.dictation || !composer.dictation.transcribing
                text: qsTr("Transcribe into the message")
                Accessible.name: qsTr("Transcribe the attached sound into the message instead")
                // The sounds leave the composer once they are words (a failure keeps them).
                onClicked: composer.dictation.transcribeFiles(composer.chat.audioAttachmentPaths())
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 6

            ToolButton {
                id: attachButton
                objectName: "attachButton"
                text: "+"
                font.pixelSize: 22
                enabled: composer.chat.canAttachImages || composer.engine.hasAudio
                Accessible.name: enabled ? composer.chat.attachHint :
                                           qsTr("Attach files (unavailable: %1)").arg(composer.chat.attachHint)
                ToolTip.visible: hovered
                ToolTip.delay: 300
                ToolTip.text: composer.chat.attachHint
                // A disabled button gets no hover; this keeps the reason reachable.
                HoverHandler { id: attachHover }
                ToolTip {
                    visible: attachHover.hovered && !attachButton.enabled
                    text: composer.chat.attachHint
                }
                onClicked: attachDialog.open()
            }

            DictationButton {
                visible: composer.dictation !== null
                dictation: composer.dictation
                onTranscribed: (text) => {
                    input.insert(input.cursorPosition, (input.length > 0 ? " " : "") + text)
                    composer.focusInput()
                }
                onFailed: (reason) => composer.notify(reason)
            }

            ToolButton {
                objectName: "liveButton"
                text: qsTr("Live")
                Accessible.name: qsTr("Start live mode (camera and microphone)")
                ToolTip.visible: hovered
                ToolTip.delay: 300
                ToolTip.text: qsTr("Live mode: talk about what the camera sees (Ctrl+L)")
                onClicked: composer.liveRequested()
            }

            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(Math.max(input.implicitHeight, 40), 180)
                TextArea {
                    id: input
                    objectName: "composerInput"
                    placeholderText: composer.engine.modelLoaded ? qsTr("Ask anything (Enter sends, Shift+Enter for a new line)")
                                                                 : qsTr("Load a model to start (Ctrl+O)")
                    placeholderTextColor: composer.theme.muted
                    color: composer.theme.text
                    selectionColor: composer.theme.selection
                    wrapMode: TextEdit.Wrap
                    font.pixelSize: 15
                    background: null
                    Accessible.name: qsTr("Message")
                    Keys.onPressed: (event) => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && !(event.modifiers & Qt.ShiftModifier)) {
                            composer.submit()
                            event.accepted = true
                        } else if (event.matches(StandardKey.Paste)) {
                            if (composer.chat.pasteImageFromClipboard())
                                event.accepted = true
                        }
                    }
                }
            }

            Button {
                objectName: composer.chat.generating ? "stopButton" : "sendButton"
                text: composer.chat.generating ? qsTr("Stop") : qsTr("Send")
                highlighted: !composer.chat.generating
                // A highlighted button is drawn in the window's "dark" colour, a light grey in the
                // light theme that reads as greyed out: Send gets the accent when it can send,
                // and the plain button colour with muted text when it cannot.
                palette.dark: enabled ? composer.theme.accent
                                      : (composer.theme.dark ? "#2b2e34" : "#e6e9ee")
                palette.brightText: enabled ? composer.theme.accentText : composer.theme.muted
                enabled: composer.chat.generating || (composer.engine.modelLoaded
                         && !composer.chat.attachments.importing
                         && (input.text.trim().length > 0 || composer.chat.attachments.count > 0))
                Accessible.name: composer.chat.generating ? qsTr("Stop generating (Esc)") : qsTr("Send (Enter)")
                onClicked: composer.chat.generating ? composer.chat.stop() : composer.submit()
            }
        }
    }

    // Sounds that became words leave the composer (a failed transcription keeps them).
    Connections {
        target: composer.dictation
        function onFilesTranscribed(paths) { composer.chat.removeAttachmentFiles(paths) }
    }

    FileDialog {
        id: attachDialog
        title: qsTr("Attach files")
        fileMode: FileDialog.OpenFiles
        nameFilters: [qsTr("Images, sounds and videos (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.opus *.m4a *.aac *.mp4 *.m4v *.mov *.mkv *.webm *.avi)"),
                      qsTr("Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff)"),
                      qsTr("Sounds (*.wav *.mp3 *.flac *.ogg *.oga *.opus *.m4a *.aac *.aif *.aiff)"),
                      qsTr("Videos (*.mp4 *.m4v *.mov *.mkv *.webm *.avi *.ts *.mpg *.mpeg *.flv *.wmv)"),
                      qsTr("All files (*)")]
        onAccepted: composer.chat.attachFiles(selectedFiles)
    }
}
