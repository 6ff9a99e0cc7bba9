import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// A sound or a video attached to a message, in the composer or in the conversation. A sound
// shows its name, length and a play/stop button (the chip says why when nothing can be
// played); a video shows its poster and length, and a click opens it in the desktop's player.
Rectangle {
    id: chip
    required property Theme theme
    required property string kind       // "audio" or "video"
    required property string name
    required property string duration   // "0:11"
    property string posterSource: ""    // a video's poster (image provider URL)
    property url fileUrl
    property bool removable: false
    signal removeRequested()

    readonly property bool isAudio: kind === "audio"

    objectName: isAudio ? "audioChip" : "videoChip"
    implicitWidth: isAudio ? 236 : 136
    implicitHeight: 76
    radius: 8
    color: theme.codeBackground
    border.color: theme.border
    clip: true
    Accessible.role: Accessible.Grouping
    Accessible.name: (isAudio ? qsTr("Sound %1, %2") : qsTr("Video %1, %2")).arg(name).arg(duration)

    AudioClipPlayer {
        id: player
        source: chip.isAudio ? chip.fileUrl : ""
    }

    // --- a sound: play button, name, length (or why it does not play)
    RowLayout {
        visible: chip.isAudio
        anchors.fill: parent
        anchors.leftMargin: 8
        anchors.rightMargin: chip.removable ? 26 : 8
        spacing: 8

        RoundButton {
            objectName: "playButton"
            Layout.preferredWidth: 40
            Layout.preferredHeight: 40
            padding: 0
            // DejaVu Sans (a dependency of the package) has both shapes.
            text: player.playing ? "■" : "▶"
            font.pixelSize: 16
            highlighted: player.playing
            Accessible.name: player.playing ? qsTr("Stop %1").arg(chip.name) : qsTr("Play %1").arg(chip.name)
            onClicked: player.toggle()
        }
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            Label {
                objectName: "mediaName"
                Layout.fillWidth: true
                text: chip.name
                elide: Text.ElideMiddle
                color: chip.theme.text
                font.pixelSize: 13
            }
            Label {
                objectName: player.error.length > 0 ? "playError" : "mediaDuration"
                Layout.fillWidth: true
                text: player.error.length > 0 ? player.error : "♪ " + chip.duration
                // Two lines hold the reasons the player gives; longer ones end in the tooltip.
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
                color: player.error.length > 0 ? chip.theme.danger : chip.theme.muted
                font.pixelSize: 12
                ToolTip.visible: player.error.length > 0 && errorHover.hovered
                ToolTip.text: player.error
                HoverHandler { id: errorHover }
            }
        }
    }

    // --- a video: poster with its length in a corner
    Image {
        objectName: "videoPoster"
        visible: !chip.isAudio
        anchors.fill: parent
        source: chip.isAudio ? "" : chip.posterSource
        fillMode: Image.PreserveAspectCrop
        asynchronous: true
        Accessible.role: Accessible.Graphic
        Accessible.name: qsTr("Poster of %1").arg(chip.name)
        ToolTip.visible: videoHover.hovered
        ToolTip.text: qsTr("%1 (click to play it in the video player)").arg(chip.name)
        HoverHandler { id: videoHover }
        // The chip shows; the desktop's own player plays.
        TapHandler { onTapped: Qt.openUrlExternally(chip.fileUrl) }
    }
    Label {
        visible: !chip.isAudio
        anchors.centerIn: parent
        text: "▶"
        font.pixelSize: 22
        color: "white"
        style: Text.Outline
        styleColor: "#80000000"
    }
    Rectangle {
        visible: !chip.isAudio
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 4
        width: durationLabel.implicitWidth + 8
        height: durationLabel.implicitHeight + 2
        radius: 4
        color: "#b0000000"
        Label {
            id: durationLabel
            objectName: "mediaDuration"
            anchors.centerIn: parent
            text: chip.duration
            color: "white"
            font.pixelSize: 11
        }
    }

    RoundButton {
        visible: chip.removable
        anchors.top: parent.top
        anchors.right: parent.right
        width: 24
        height: 24
        padding: 0
        text: "×"
        Accessible.name: qsTr("Remove %1").arg(chip.name)
        onClicked: chip.removeRequested()
    }
}
