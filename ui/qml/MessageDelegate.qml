import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// One turn of the conversation: images, sounds and videos (MediaChip), prose rendered as Markdown, code blocks, what the
// context did to an answer (cut at its end, oldest turns left out), the speed line under an
// answer, and the actions (copy, regenerate, edit).
Item {
    id: delegate
    required property int index
    required property string role
    required property string text
    required property var blocks
    required property var images
    required property var media
    required property bool streaming
    required property string stats
    required property string error
    required property string note
    required property Theme theme
    required property ChatController chat
    property bool isCurrent: ListView.isCurrentItem

    readonly property bool isUser: role === "user"
    readonly property bool isLast: index === chat.messages.count - 1
    property bool editing: false

    width: ListView.view ? ListView.view.width : 600
    implicitHeight: bubble.height + 16

    Accessible.role: Accessible.ListItem
    Accessible.name: (isUser ? qsTr("You: ") : qsTr("Prism: ")) + text

    Rectangle {
        id: bubble
        readonly property real maxWidth: Math.min(delegate.width - 48, 820)
        width: delegate.isUser ? Math.min(maxWidth, Math.max(content.implicitWidth + 28, 160)) : maxWidth
        height: content.implicitHeight + 24
        x: delegate.isUser ? delegate.width - width - 24 : 24
        y: 8
        radius: delegate.theme.radius
        color: delegate.isUser ? delegate.theme.userBubble : "transparent"
        border.color: delegate.isCurrent ? delegate.theme.accent : "transparent"
        border.width: delegate.isCurrent ? 2 : 0

        ColumnLayout {
            id: content
            x: 14
            y: 12
            width: bubble.width - 28
            spacing: 8

            Label {
                text: delegate.isUser ? qsTr("You") : qsTr("Prism")
                font.bold: true
                font.pixelSize: 12
                color: delegate.theme.muted
            }

            Flow {
                Layout.fillWidth: true
                spacing: 8
                visible: delegate.images.length > 0
                Repeater {
                    model: delegate.images
                    delegate: Image {
                        required property string modelData
                        objectName: "messageImage"
                        source: modelData
                        // Scaled to at most 220 px wide, keeping the aspect ratio (no letterbox).
                        width: Math.min(implicitWidth, 220)
                        height: implicitWidth > 0 ? width * implicitHeight / implicitWidth : 0
                        fillMode: Image.PreserveAspectFit
                        asynchronous: true
                        Accessible.role: Accessible.Graphic
                        Accessible.name: qsTr("Attached image")
                    }
                }
            }

            Flow {
                Layout.fillWidth: true
                spacing: 8
                visible: delegate.media.length > 0
                Repeater {
                    model: delegate.media
                    delegate: MediaChip {
                        required property var modelData
                        theme: delegate.theme
                        kind: modelData.kind
                        name: modelData.name
                        duration: modelData.duration
                        posterSource: modelData.source
                        fileUrl: modelData.fileUrl
                    }
                }
            }

            Repeater {
                model: delegate.editing ? null : delegate.blocks
                delegate: ColumnLayout {
                    id: blockItem
                    required property string kind
                    required property string blockText
                    required property string language
                    Layout.fillWidth: true
                    TextEdit {
                        objectName: "messageText"
                        visible: blockItem.kind === "text"
                        Layout.fillWidth: true
                        Layout.preferredWidth: Math.min(implicitWidth, bubble.maxWidth - 28)
                        text: blockItem.kind === "text" ? blockItem.blockText : ""
                        textFormat: TextEdit.MarkdownText
                        wrapMode: TextEdit.Wrap
                        readOnly: true
                        selectByMouse: true
                        color: delegate.theme.text
                        selectionColor: delegate.theme.selection
                        font.pixelSize: 15
                        onLinkActivated: (link) => Qt.openUrlExternally(link)
                        Accessible.role: Accessible.StaticText
                        Accessible.name: blockItem.blockText
                    }
                    CodeBlock {
                        visible: blockItem.kind === "code"
                        Layout.fillWidth: true
                        theme: delegate.theme
                        code: blockItem.kind === "code" ? blockItem.blockText : ""
                        language: blockItem.language
                        onCopyRequested: (t) => delegate.chat.copyText(t)
                    }
                }
            }

            Label {
                visible: delegate.streaming && delegate.text.length === 0
                text: qsTr("Thinking…")
                color: delegate.theme.muted
            }

            // Edit-and-resend of the last user message.
            ColumnLayout {
                visible: delegate.editing
                Layout.fillWidth: true
                TextArea {
                    id: editField
                    objectName: "editField"
                    Layout.fillWidth: true
                    wrapMode: TextEdit.Wrap
                    Accessible.name: qsTr("Edit message")
                    Keys.onEscapePressed: delegate.editing = false
                }
                RowLayout {
                    Button {
                        text: qsTr("Send again")
                        highlighted: true
                        Accessible.name: qsTr("Send the edited message")
                        onClicked: {
                            if (delegate.chat.resendLastUserMessage(editField.text))
                                delegate.editing = false
                        }
                    }
                    Button {
                        text: qsTr("Cancel")
                        Accessible.name: qsTr("Cancel editing")
                        onClicked: delegate.editing = false
                    }
                }
            }

            Label {
                visible: delegate.error.length > 0
                text: delegate.error
                color: delegate.theme.danger
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }

            Label {
                objectName: "answerNote"
                visible: delegate.note.length > 0 && !delegate.streaming
                text: delegate.note
                color: delegate.theme.text
                wrapMode: Text.Wrap
                Layout.fillWidth: true
                font.pixelSize: 13
                leftPadding: 10
                topPadding: 6
                bottomPadding: 6
                rightPadding: 10
                background: Rectangle {
                    radius: 6
                    color: delegate.theme.codeBackground
                    border.color: delegate.theme.border
                }
                Accessible.role: Accessible.StaticText
                Accessible.name: delegate.note
            }

            RowLayout {
                spacing: 2
                visible: !delegate.streaming && !delegate.editing
                Label {
                    objectName: "statsLabel"
                    visible: !delegate.isUser && delegate.stats.length > 0
                    text: delegate.stats
                    color: delegate.theme.muted
                    font.pixelSize: 11
                    Layout.rightMargin: 8
                    Accessible.name: qsTr("Answer speed: %1").arg(delegate.stats)
                }
                ToolButton {
                    text: qsTr("Copy")
                    font.pixelSize: 11
                    Accessible.name: qsTr("Copy message")
                    onClicked: delegate.chat.copyText(delegate.text)
                }
                ToolButton {
                    visible: !delegate.isUser && delegate.isLast && !delegate.chat.generating
                    text: qsTr("Regenerate")
                    font.pixelSize: 11
                    Accessible.name: qsTr("Regenerate the answer")
                    onClicked: delegate.chat.regenerate()
                }
                ToolButton {
                    visible: delegate.isUser && delegate.index === delegate.chat.lastUserRow
                             && !delegate.chat.generating
                    text: qsTr("Edit")
                    font.pixelSize: 11
                    Accessible.name: qsTr("Edit and resend this message")
                    onClicked: {
                        editField.text = delegate.text
                        delegate.editing = true
                        editField.forceActiveFocus()
                    }
                }
            }
        }
    }
}
