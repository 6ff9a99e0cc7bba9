import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// Conversations: new, search, and the list. Until the history store is bound this lists the
// current conversation only.
Rectangle {
    id: sidebar
    required property Theme theme
    required property ChatController chat
    color: theme.sidebar

    readonly property string currentTitle: chat.messages.count > 0
        ? chat.messages.textAt(0).split("\n")[0].substring(0, 48) : qsTr("New chat")

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
        }
        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: sidebar.currentTitle.toLowerCase().indexOf(search.text.toLowerCase()) >= 0 ? 1 : 0
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Conversations")
            delegate: ItemDelegate {
                width: ListView.view.width
                text: sidebar.currentTitle
                highlighted: true
                Accessible.name: qsTr("Conversation: %1").arg(text)
            }
        }
    }
}
