import QtQuick
import QtQuick.Controls
import Prism.Ui

// The message list. Follows the answer while it streams unless the user scrolled up; Up/Down
// move between messages, Ctrl+C copies the current one.
ListView {
    id: list
    objectName: "messageList"
    required property Theme theme
    required property ChatController chat

    model: chat.messages
    clip: true
    spacing: 0
    topMargin: 12
    bottomMargin: 12
    keyNavigationEnabled: true
    activeFocusOnTab: true
    highlightFollowsCurrentItem: false
    currentIndex: -1
    boundsBehavior: Flickable.StopAtBounds
    ScrollBar.vertical: ScrollBar {}
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Conversation")

    property bool followTail: true
    onMovementEnded: followTail = atYEnd
    onCountChanged: if (followTail) Qt.callLater(positionViewAtEnd)
    onContentHeightChanged: if (followTail && !moving) positionViewAtEnd()

    Keys.onPressed: (event) => {
        if (event.matches(StandardKey.Copy) && currentIndex >= 0) {
            chat.copyText(chat.messages.textAt(currentIndex))
            event.accepted = true
        }
    }
    onActiveFocusChanged: if (activeFocus && currentIndex < 0 && count > 0) currentIndex = count - 1

    delegate: MessageDelegate {
        theme: list.theme
        chat: list.chat
    }
}
