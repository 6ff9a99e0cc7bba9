import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// Live mode: the camera picture with its state ("watching", "listening", ...), the frame the
// model last saw (outlined), what the user said, the answer as it streams, and the turn's
// latency. Space held is push-to-talk; Esc leaves live mode (Main's shortcuts).
Rectangle {
    id: view
    objectName: "liveView"
    required property Theme theme
    required property LiveController live
    required property var liveSettings
    color: theme.window
    focus: visible

    readonly property var stateNames: ({
        [LiveController.Off]: qsTr("off"),
        [LiveController.Watching]: qsTr("watching"),
        [LiveController.Hearing]: qsTr("listening"),
        [LiveController.Transcribing]: qsTr("understanding"),
        [LiveController.Thinking]: qsTr("thinking"),
        [LiveController.Speaking]: qsTr("speaking")
    })

    Keys.onPressed: (event) => {
        if (event.key === Qt.Key_Space && !event.isAutoRepeat) {
            view.live.pushToTalk(true)
            event.accepted = true
        }
    }
    Keys.onReleased: (event) => {
        if (event.key === Qt.Key_Space && !event.isAutoRepeat) {
            view.live.pushToTalk(false)
            event.accepted = true
        }
    }

    RowLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 16

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            // The controls' Flow would otherwise ask for one long row and squeeze the panel.
            Layout.preferredWidth: 400
            Layout.minimumWidth: 300
            spacing: 8

            Rectangle {
                Layout.fillWidth: true
                Layout.fillHeight: true
                color: "black"
                radius: view.theme.radius
                clip: true

                Image {
                    id: preview
                    objectName: "livePreview"
                    anchors.fill: parent
                    anchors.margins: 2
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    asynchronous: false
                    smooth: true
                    source: view.live.hasCamera ? "image://live/preview/" + view.live.frameSequence : ""
                    Accessible.role: Accessible.Graphic
                    Accessible.name: qsTr("Camera picture from %1").arg(view.live.cameraName)
                }
                Label {
                    anchors.centerIn: parent
                    visible: !view.live.hasCamera
                    color: "white"
                    text: qsTr("No camera")
                }

                // The state badge: what live mode is doing now.
                Rectangle {
                    objectName: "liveStateBadge"
                    anchors.left: parent.left
                    anchors.top: parent.top
                    anchors.margins: 12
                    radius: height / 2
                    height: stateLabel.implicitHeight + 10
                    width: stateLabel.implicitWidth + 28
                    color: view.live.state === LiveController.Hearing ? "#b3261e" : "#cc000000"
                    Accessible.role: Accessible.StaticText
                    Accessible.name: qsTr("Live mode is %1").arg(stateLabel.text)
                    Rectangle {
                        anchors.verticalCenter: parent.verticalCenter
                        x: 10
                        width: 8; height: 8; radius: 4
                        color: view.live.active ? "#4cd964" : "#888888"
                    }
                    Label {
                        id: stateLabel
                        x: 22
                        anchors.verticalCenter: parent.verticalCenter
                        color: "white"
                        text: view.stateNames[view.live.state] || ""
                    }
                }

                // The frame the model saw for the current answer, outlined.
                Rectangle {
                    objectName: "liveSeenFrame"
                    visible: view.live.seenFrameSequence > 0
                    anchors.right: parent.right
                    anchors.bottom: parent.bottom
                    anchors.margins: 12
                    width: 160
                    height: 120
                    color: "black"
                    border.color: view.theme.accent
                    border.width: 3
                    Image {
                        anchors.fill: parent
                        anchors.margins: 3
                        fillMode: Image.PreserveAspectFit
                        cache: false
                        source: view.live.seenFrameSequence > 0
                                ? "image://live/seen/" + view.live.seenFrameSequence : ""
                    }
                    Label {
                        anchors.left: parent.left
                        anchors.bottom: parent.top
                        anchors.bottomMargin: 2
                        color: "white"
                        font.pixelSize: 11
                        text: qsTr("what the model saw")
                    }
                    Accessible.role: Accessible.Graphic
                    Accessible.name: qsTr("The frame the model saw")
                }
            }

            Flow {
                Layout.fillWidth: true
                Layout.preferredWidth: 300
                spacing: 8

                Button {
                    objectName: "liveTalkButton"
                    text: view.live.pushToTalkHeld ? qsTr("Listening…") : qsTr("Hold to talk (Space)")
                    enabled: view.live.active
                    Accessible.name: qsTr("Push to talk")
                    onPressed: view.live.pushToTalk(true)
                    onReleased: view.live.pushToTalk(false)
                    onCanceled: view.live.pushToTalk(false)
                }
                Switch {
                    objectName: "liveHandsFree"
                    text: qsTr("Hands-free")
                    checked: view.live.handsFree
                    onToggled: view.live.handsFree = checked
                    Accessible.name: qsTr("Hands-free listening")
                }
                Switch {
                    objectName: "liveDescribe"
                    text: qsTr("Describe continuously")
                    checked: view.live.describeContinuously
                    onToggled: view.live.describeContinuously = checked
                    Accessible.name: qsTr("Describe what the camera sees continuously")
                }
                Switch {
                    objectName: "liveSpeak"
                    text: qsTr("Speak answers")
                    checked: view.liveSettings.speakAnswers
                    onToggled: view.liveSettings.speakAnswers = checked
                    Accessible.name: qsTr("Speak answers aloud")
                }
                Button {
                    objectName: "liveStopButton"
                    text: qsTr("Stop live mode (Esc)")
                    Accessible.name: qsTr("Stop live mode")
                    onClicked: view.live.stop()
                }
            }
        }

        ColumnLayout {
            Layout.fillHeight: true
            Layout.preferredWidth: 380
            Layout.minimumWidth: 280
            Layout.maximumWidth: 380
            spacing: 10

            Label {
                text: qsTr("Camera: %1 · Microphone: %2").arg(view.live.cameraName).arg(view.live.microphoneName)
                color: view.theme.muted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }

            Repeater {
                model: view.live.notices
                Label {
                    required property string modelData
                    objectName: "liveNotice"
                    Layout.fillWidth: true
                    text: modelData
                    color: view.theme.danger
                    wrapMode: Text.Wrap
                    Accessible.role: Accessible.AlertMessage
                    Accessible.name: modelData
                }
            }

            Label {
                text: qsTr("You said")
                color: view.theme.muted
                font.pixelSize: 12
            }
            Label {
                objectName: "liveTranscript"
                Layout.fillWidth: true
                text: view.live.transcript.length > 0 ? view.live.transcript
                                                      : qsTr("Speak, or hold Space and speak.")
                color: view.theme.text
                font.pixelSize: 16
                wrapMode: Text.Wrap
                Accessible.role: Accessible.StaticText
                Accessible.name: qsTr("You said: %1").arg(text)
            }

            Label {
                text: qsTr("Answer")
                color: view.theme.muted
                font.pixelSize: 12
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                TextArea {
                    objectName: "liveAnswer"
                    readOnly: true
                    wrapMode: TextEdit.Wrap
                    text: view.live.answer
                    color: view.theme.text
                    font.pixelSize: 16
                    background: null
                    Accessible.role: Accessible.StaticText
                    Accessible.name: qsTr("Answer")
                    Accessible.description: text
                }
            }

            TextField {
                objectName: "liveQuestion"
                Layout.fillWidth: true
                placeholderText: qsTr("Or type a question about what the camera sees")
                Accessible.name: qsTr("Typed question")
                onAccepted: {
                    if (view.live.ask(text))
                        clear()
                    view.forceActiveFocus()
                }
            }

            Label {
                objectName: "liveLatency"
                Layout.fillWidth: true
                text: view.live.latencyText.length > 0 ? qsTr("Latency: %1").arg(view.live.latencyText) : ""
                color: view.theme.muted
                font.pixelSize: 12
                wrapMode: Text.Wrap
                Accessible.role: Accessible.StaticText
                Accessible.name: text
            }
        }
    }
}
