import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// Models from Hugging Face: search GGUF repositories, pick a file (quantization, size, whether
// it fits in the device's memory), download it with its mmproj, pause, resume or cancel.
Dialog {
    id: dialog
    objectName: "modelBrowserDialog"
    required property Theme theme
    required property var browser  // ModelBrowser
    title: qsTr("Download models from Hugging Face")
    modal: true
    anchors.centerIn: parent
    width: Math.min(1000, parent.width - 48)
    height: Math.min(680, parent.height - 48)
    standardButtons: Dialog.Close
    onOpened: query.forceActiveFocus()

    function sizeText(bytes) {
        if (bytes >= 1073741824) return (bytes / 1073741824).toFixed(1) + " GB"
        if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB"
        return Math.round(bytes / 1024) + " KB"
    }

    component Badge: Rectangle {
        property alias text: label.text
        property color tint: dialog.theme.muted
        implicitWidth: label.implicitWidth + 12
        implicitHeight: 20
        radius: 10
        color: "transparent"
        border.color: tint
        Label {
            id: label
            anchors.centerIn: parent
            font.pixelSize: 11
            color: parent.tint
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 10

        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: query
                objectName: "hubSearchField"
                Layout.fillWidth: true
                placeholderText: qsTr("Search GGUF models, e.g. SmolVLM or Qwen2.5-VL")
                onAccepted: dialog.browser.search(text)
            }
            Button {
                objectName: "hubSearchButton"
                text: qsTr("Search")
                onClicked: dialog.browser.search(query.text)
            }
            BusyIndicator {
                running: dialog.browser.busy
                implicitWidth: 28
                implicitHeight: 28
            }
        }

        Label {
            objectName: "hubError"
            visible: dialog.browser.error.length > 0
            text: dialog.browser.error
            color: dialog.theme.danger
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 12

            ListView {
                id: repoList
                objectName: "hubRepoList"
                Layout.preferredWidth: 320
                Layout.fillHeight: true
                clip: true
                model: dialog.browser.repos
                delegate: ItemDelegate {
                    required property var modelData
                    width: ListView.view.width
                    highlighted: modelData.id === dialog.browser.repo
                    contentItem: ColumnLayout {
                        spacing: 2
                        Label {
                            text: modelData.id
                            color: dialog.theme.text
                            elide: Text.ElideMiddle
                            Layout.fillWidth: true
                        }
                        Label {
                            text: qsTr("%1 downloads · %2 likes").arg(modelData.downloads).arg(modelData.likes)
                            color: dialog.theme.muted
                            font.pixelSize: 11
                        }
                    }
                    onClicked: dialog.browser.openRepo(modelData.id)
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Label {
                    text: dialog.browser.repo.length === 0 ? qsTr("Pick a repository")
                          : dialog.browser.deviceMemory > 0
                            ? qsTr("%1 · fit at %2 tokens of context in %3 of device memory")
                                .arg(dialog.browser.repo).arg(dialog.browser.contextSize)
                                .arg(dialog.sizeText(dialog.browser.deviceMemory))
                            : qsTr("%1 · no GPU found: the fit is not known").arg(dialog.browser.repo)
                    color: dialog.theme.muted
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                ListView {
                    objectName: "hubFileList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    spacing: 4
                    model: dialog.browser.files
                    delegate: RowLayout {
                        required property var modelData
                        width: ListView.view.width
                        spacing: 8
                        Label {
                            text: modelData.path
                            color: dialog.theme.text
                            elide: Text.ElideMiddle
                            Layout.fillWidth: true
                        }
                        Badge {
                            visible: modelData.quant.length > 0
                            text: modelData.quant
                        }
                        Badge {
                            visible: modelData.mmproj
                            text: qsTr("mmproj")
                            tint: dialog.theme.accent
                        }
                        Badge {
                            objectName: "partsBadge"
                            visible: modelData.parts > 1
                            text: modelData.complete ? qsTr("%n parts", "", modelData.parts)
                                                     : qsTr("parts missing")
                            tint: modelData.complete ? dialog.theme.muted : dialog.theme.danger
                        }
                        Badge {
                            objectName: "fitBadge"
                            visible: !modelData.mmproj
                            text: modelData.fit === "yes" ? qsTr("fits · %1").arg(modelData.needText)
                                  : modelData.fit === "no" ? qsTr("too big · %1").arg(modelData.needText)
                                  : qsTr("fit unknown")
                            tint: modelData.fit === "yes" ? "#2e8b57"
                                  : modelData.fit === "no" ? dialog.theme.danger : dialog.theme.muted
                        }
                        Label {
                            text: modelData.sizeText
                            color: dialog.theme.muted
                            Layout.preferredWidth: 70
                            horizontalAlignment: Text.AlignRight
                        }
                        Button {
                            text: modelData.downloaded ? qsTr("Downloaded") : qsTr("Download")
                            enabled: !modelData.downloaded && modelData.checksum && modelData.complete
                            ToolTip.visible: hovered && modelData.pairedMmproj.length > 0
                            ToolTip.text: qsTr("with %1").arg(modelData.pairedMmproj)
                            onClicked: dialog.browser.download(modelData.path, true)
                        }
                    }
                }
            }
        }

        Label {
            visible: dialog.browser.downloads.length > 0
            text: qsTr("Downloads (to your models folder; they appear in the model menu)")
            color: dialog.theme.muted
        }
        ListView {
            objectName: "hubDownloadList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 170)
            clip: true
            spacing: 6
            model: dialog.browser.downloads
            delegate: ColumnLayout {
                id: row
                required property var modelData
                readonly property bool running: modelData.status === "running"
                width: ListView.view.width
                spacing: 2
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        text: row.modelData.fileName
                        color: dialog.theme.text
                        elide: Text.ElideMiddle
                        Layout.fillWidth: true
                    }
                    Label {
                        text: {
                            const d = row.modelData
                            const amount = dialog.sizeText(d.received) + " / " + dialog.sizeText(d.total)
                            switch (d.status) {
                            case "done": return qsTr("done · SHA-256 checked")
                            case "paused": return qsTr("paused · %1").arg(amount)
                            case "failed": return qsTr("failed")
                            case "cancelled": return qsTr("cancelled")
                            default: return amount
                            }
                        }
                        color: dialog.theme.muted
                    }
                    Button {
                        visible: row.running || row.modelData.status === "paused"
                                 || row.modelData.status === "failed"
                        text: row.running ? qsTr("Pause") : qsTr("Resume")
                        onClicked: row.running ? row.modelData.pause() : row.modelData.start()
                    }
                    Button {
                        visible: row.modelData.status !== "done"
                                 && row.modelData.status !== "cancelled"
                        text: qsTr("Cancel")
                        onClicked: row.modelData.cancel()
                    }
                }
                ProgressBar {
                    Layout.fillWidth: true
                    from: 0
                    to: Math.max(1, row.modelData.total)
                    value: row.modelData.received
                }
                Label {
                    visible: row.modelData.error.length > 0
                    text: row.modelData.error
                    color: dialog.theme.danger
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
            }
        }
    }
}
