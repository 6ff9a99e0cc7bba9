import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// Conversations from the history (newest first): new, search, open, rename, delete (with a
// notice that takes the delete back for a few seconds).
Rectangle {
    id: sidebar
    required property Theme theme
    required property ChatController chat
    required property var conversations  // ConversationListModel
    required property var history        // ConversationStore
    required property var deletion       // ConversationDeletion: delete with undo
    color: theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 10

        Label {
            text: "Prism"
            font.pixelSize: 20
            font.bold: true
            color: sidebar.theme.text
            Layout.leftMargin: 4
        }
        Button {
            objectName: "newChatButton"
            Layout.fillWidth: true
            text: qsTr("New chat")
            Accessible.name: qsTr("New chat (Ctrl+N)")
            onClicked: sidebar.chat.newChat()
        }
        TextField {
            id: search
            objectName: "searchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search chats")
            Accessible.name: qsTr("Search conversations")
            onTextChanged: sidebar.conversations.filter = text
        }
        ListView {
            id: list
            objectName: "conversationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: sidebar.conversations
            keyNavigationEnabled: true
            activeFocusOnTab: true
            spacing: 2
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Conversations")
            ScrollBar.vertical: ScrollBar {}
            delegate: ItemDelegate {
                id: row
                objectName: "conversationRow"
                required property int index
                required property var model  // roles: id, title, preview
                readonly property var id_: model.id
                readonly property string title: model.title
                readonly property string preview: model.preview
                property bool renaming: false
                width: ListView.view.width
                // The same size hovered or not: the buttons that appear on hover cover the end of
                // the title instead of growing the row, so the rows below never move under the
                // pointer.
                topPadding: 6
                bottomPadding: 6
                highlighted: row.id_ === sidebar.chat.conversationId
                text: title
                font.pixelSize: 13
                Accessible.name: qsTr("Conversation: %1").arg(title)
                onClicked: sidebar.chat.openConversation(row.id_)
                Keys.onReturnPressed: sidebar.chat.openConversation(row.id_)
                Keys.onDeletePressed: sidebar.deletion.remove(row.id_)
                Keys.onPressed: (event) => {
                    if (event.key === Qt.Key_F2) { row.startRename(); event.accepted = true }
                }
                ToolTip.visible: hovered && preview.length > 0
                ToolTip.delay: 600
                ToolTip.text: preview
                function startRename() {
                    renameField.text = row.title
                    row.renaming = true
                    renameField.forceActiveFocus()
                    renameField.selectAll()
                }
                background: Rectangle {
                    implicitHeight: 36
                    radius: 6
                    color: row.highlighted ? sidebar.theme.selection
                                           : row.hovered ? sidebar.theme.border : "transparent"
                }
                contentItem: Item {
                    implicitHeight: 24
                    Label {
                        visible: !row.renaming
                        anchors.left: parent.left
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        text: row.title
                        elide: Text.ElideRight
                        color: sidebar.theme.text
                    }
                    TextField {
                        id: renameField
                        visible: row.renaming
                        anchors.fill: parent
                        topPadding: 0
                        bottomPadding: 0
                        Accessible.name: qsTr("New title")
                        onAccepted: {
                            sidebar.history.renameConversation(row.id_, text)
                            row.renaming = false
                        }
                        Keys.onEscapePressed: row.renaming = false
                    }
                    Rectangle {
                        objectName: "conversationActions"
                        visible: row.hovered && !row.renaming
                        anchors.right: parent.right
                        anchors.top: parent.top
                        anchors.bottom: parent.bottom
                        width: actions.implicitWidth
                        color: row.background.color
                        Row {
                            id: actions
                            height: parent.height
                            ToolButton {
                                objectName: "renameConversationButton"
                                height: parent.height
                                topPadding: 0
                                bottomPadding: 0
                                text: qsTr("Rename")
                                font.pixelSize: 11
                                Accessible.name: qsTr("Rename %1").arg(row.title)
                                onClicked: row.startRename()
                            }
                            ToolButton {
                                objectName: "deleteConversationButton"
                                height: parent.height
                                topPadding: 0
                                bottomPadding: 0
                                text: qsTr("Delete")
                                font.pixelSize: 11
                                Accessible.name: qsTr("Delete %1").arg(row.title)
                                onClicked: sidebar.deletion.remove(row.id_)
                            }
                        }
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: search.text.length > 0 ? qsTr("No chat matches.") : qsTr("No chats yet.")
                color: sidebar.theme.muted
            }
        }
    }

    // "Conversation deleted — Undo", over the bottom of the list while the deletes can be taken
    // back; they are made for good when it goes.
    Rectangle {
        id: undoNotice
        objectName: "undoDeleteNotice"
        visible: sidebar.deletion.pending
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 12
        height: noticeRow.implicitHeight + 16
        radius: sidebar.theme.radius
        color: sidebar.theme.surface
        border.color: sidebar.theme.border
        Accessible.role: Accessible.AlertMessage
        Accessible.name: noticeText.text
        RowLayout {
            id: noticeRow
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 4
            spacing: 4
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                Label {
                    id: noticeText
                    objectName: "undoDeleteText"
                    Layout.fillWidth: true
                    text: sidebar.deletion.count > 1
                          ? qsTr("%1 conversations deleted").arg(sidebar.deletion.count)
                          : qsTr("Conversation deleted")
                    color: sidebar.theme.text
                    font.pixelSize: 13
                    wrapMode: Text.Wrap
                }
                Label {
                    Layout.fillWidth: true
                    text: sidebar.deletion.titles.join(", ")
                    color: sidebar.theme.muted
                    font.pixelSize: 11
                    elide: Text.ElideRight
                }
            }
            Button {
                objectName: "undoDeleteButton"
                text: qsTr("Undo")
                flat: true
                font.bold: true
                palette.windowText: sidebar.theme.accent  // a flat button's text
                leftPadding: 10
                rightPadding: 10
                // As wide as its word, so the notice's text keeps the room.
                implicitWidth: implicitContentWidth + leftPadding + rightPadding
                Accessible.name: qsTr("Undo deleting %1").arg(sidebar.deletion.titles.join(", "))
                onClicked: sidebar.deletion.undo()
            }
        }
    }
}
