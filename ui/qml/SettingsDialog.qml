import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Prism.Ui

// System prompt, sampling, context size, GPU device, a server to connect to, and theme. Changes apply at once (sampling
// to the next answer, context and device to the next model load).
Dialog {
    id: dialog
    required property Theme theme
    required property var settings  // SettingsStore
    required property EngineController engine
    title: qsTr("Settings")
    modal: true
    standardButtons: Dialog.Close
    anchors.centerIn: parent
    width: Math.min(560, parent.width - 48)
    height: Math.min(640, parent.height - 48)
    onAboutToShow: engine.refreshDevices()

    component SliderRow: RowLayout {
        id: row
        property string label
        property real from: 0
        property real to: 1
        property real stepSize: 0.05
        property real value
        property int decimals: 2
        signal moved(real value)
        Layout.fillWidth: true
        Label { text: row.label; Layout.preferredWidth: 150; color: dialog.theme.text }
        Slider {
            Layout.fillWidth: true
            from: row.from
            to: row.to
            stepSize: row.stepSize
            value: row.value
            Accessible.name: row.label
            onMoved: row.moved(value)
        }
        Label {
            text: row.value.toFixed(row.decimals)
            Layout.preferredWidth: 44
            color: dialog.theme.muted
        }
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            spacing: 10

            Label { text: qsTr("System prompt"); color: dialog.theme.text; font.bold: true }
            TextArea {
                objectName: "systemPromptField"
                Layout.fillWidth: true
                Layout.preferredHeight: 80
                wrapMode: TextEdit.Wrap
                text: dialog.settings.systemPrompt
                placeholderText: qsTr("Optional instructions given to the model before the chat")
                Accessible.name: qsTr("System prompt")
                onEditingFinished: dialog.settings.systemPrompt = text
            }

            Label { text: qsTr("Sampling"); color: dialog.theme.text; font.bold: true }
            SliderRow {
                label: qsTr("Temperature")
                to: 2
                value: dialog.settings.temperature
                onMoved: (v) => dialog.settings.temperature = v
            }
            SliderRow {
                label: qsTr("Top-p")
                value: dialog.settings.topP
                onMoved: (v) => dialog.settings.topP = v
            }
            SliderRow {
                label: qsTr("Min-p")
                to: 0.5
                stepSize: 0.01
                value: dialog.settings.minP
                onMoved: (v) => dialog.settings.minP = v
            }
            SliderRow {
                label: qsTr("Repetition penalty")
                from: 1
                to: 2
                value: dialog.settings.repetitionPenalty
                onMoved: (v) => dialog.settings.repetitionPenalty = v
            }
            RowLayout {
                Label { text: qsTr("Top-k"); Layout.preferredWidth: 150; color: dialog.theme.text }
                SpinBox {
                    from: 0
                    to: 500
                    value: dialog.settings.topK
                    editable: true
                    Accessible.name: qsTr("Top-k")
                    onValueModified: dialog.settings.topK = value
                }
            }

            Label { text: qsTr("Model loading"); color: dialog.theme.text; font.bold: true }
            RowLayout {
                Label { text: qsTr("Context size"); Layout.preferredWidth: 150; color: dialog.theme.text }
                SpinBox {
                    from: 0
                    to: 131072
                    stepSize: 256
                    value: dialog.settings.contextSize
                    editable: true
                    textFromValue: (v) => v === 0 ? qsTr("automatic") : String(v)
                    valueFromText: (t) => t === qsTr("automatic") ? 0 : parseInt(t)
                    Accessible.name: qsTr("Context size in tokens, 0 for automatic")
                    onValueModified: dialog.settings.contextSize = value
                }
            }
            RowLayout {
                Label { text: qsTr("GPU device"); Layout.preferredWidth: 150; color: dialog.theme.text }
                ComboBox {
                    Layout.fillWidth: true
                    model: [qsTr("Automatic")].concat(dialog.engine.devices)
                    currentIndex: Math.max(0, dialog.engine.devices.findIndex(
                                               (d) => d.split(":")[0] === dialog.settings.gpuDevice) + 1)
                    Accessible.name: qsTr("GPU device")
                    onActivated: (i) => dialog.settings.gpuDevice = i === 0 ? "" : dialog.engine.devices[i - 1].split(":")[0]
                }
            }
            Label {
                text: qsTr("Context size and device apply to the next model you load.")
                color: dialog.theme.muted
                font.pixelSize: 12
            }

            Label { text: qsTr("Server"); color: dialog.theme.text; font.bold: true }
            RowLayout {
                Label { text: qsTr("Address"); Layout.preferredWidth: 150; color: dialog.theme.text }
                TextField {
                    id: serverUrlField
                    objectName: "serverUrlField"
                    Layout.fillWidth: true
                    text: dialog.engine.serverUrl
                    placeholderText: "http://127.0.0.1:8080"
                    Accessible.name: qsTr("OpenAI-compatible server address")
                }
            }
            RowLayout {
                Label { text: qsTr("API key"); Layout.preferredWidth: 150; color: dialog.theme.text }
                TextField {
                    id: serverKeyField
                    objectName: "serverKeyField"
                    Layout.fillWidth: true
                    echoMode: TextInput.Password
                    placeholderText: qsTr("none")
                    Accessible.name: qsTr("API key")
                }
                Button {
                    objectName: "serverConnectButton"
                    text: qsTr("Connect")
                    enabled: serverUrlField.text.length > 0
                    onClicked: dialog.engine.connectServer(serverUrlField.text, serverKeyField.text)
                }
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: qsTr("A vLLM, llama-server, Ollama, LM Studio or Prism server answers instead of "
                           + "a local model; its models appear in the model menu. The key is kept "
                           + "in memory until Prism closes, never written to disk.")
                color: dialog.theme.muted
                font.pixelSize: 12
            }

            Label { text: qsTr("Appearance"); color: dialog.theme.text; font.bold: true }
            RowLayout {
                Label { text: qsTr("Theme"); Layout.preferredWidth: 150; color: dialog.theme.text }
                ComboBox {
                    readonly property var values: ["system", "light", "dark"]
                    model: [qsTr("Follow the system"), qsTr("Light"), qsTr("Dark")]
                    currentIndex: Math.max(0, values.indexOf(dialog.settings.theme))
                    Accessible.name: qsTr("Theme")
                    onActivated: (i) => dialog.settings.theme = values[i]
                }
            }
        }
    }
}
