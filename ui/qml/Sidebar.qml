import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// Conversations from the history (newest first): new, search, open, rename, delete.
Rectangle {
    id: sidebar
    required property Theme theme
    required property ChatController chat
    required property var conversations  // ConversationListModel
    required property var history        // ConversationStore
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
                required property int index
                required property var model  // roles: id, title, preview
                readonly property var id_: model.id
                readonly property string title: model.title
                readonly property string preview: model.preview
                property bool renaming: false
                width: ListView.view.width
                highlighted: row.id_ === sidebar.chat.conversationId
                text: title
                font.pixelSize: 13
                Accessible.name: qsTr("Conversation: %1").arg(title)
                onClicked: sidebar.chat.openConversation(row.id_)
                Keys.onReturnPressed: sidebar.chat.openConversation(row.id_)
                Keys.onDeletePressed: sidebar.chat.deleteConversation(row.id_)
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
                contentItem: RowLayout {
                    Label {
                        visible: !row.renaming
                        text: row.title
                        elide: Text.ElideRight
                        color: sidebar.theme.text
                        Layout.fillWidth: true
                    }
                    TextField {
                        id: renameField
                        visible: row.renaming
                        Layout.fillWidth: true
                        Accessible.name: qsTr("New title")
                        onAccepted: {
                            sidebar.history.renameConversation(row.id_, text)
                            row.renaming = false
                        }
                        Keys.onEscapePressed: row.renaming = false
                    }
                    ToolButton {
                        visible: row.hovered && !row.renaming
                        text: qsTr("Rename")
                        font.pixelSize: 11
                        Accessible.name: qsTr("Rename %1").arg(row.title)
                        onClicked: row.startRename()
                    }
                    ToolButton {
                        visible: row.hovered && !row.renaming
                        text: qsTr("Delete")
                        font.pixelSize: 11
                        Accessible.name: qsTr("Delete %1").arg(row.title)
                        onClicked: sidebar.chat.deleteConversation(row.id_)
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
}
