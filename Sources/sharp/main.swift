print("sharp")
